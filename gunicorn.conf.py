"""gunicorn's settings, read by `make run` and by bench/load.py.

One definition, so the load benchmark serves the app exactly as `make run` does;
both pass only `--bind` on the command line.
"""

from __future__ import annotations

wsgi_app = "workbench.wsgi"
workers = 3
accesslog = "-"
errorlog = "-"
