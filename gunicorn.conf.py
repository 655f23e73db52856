"""gunicorn's settings, read by `make run` and by bench/load.py.

One definition, so the load benchmark serves the app exactly as `make run` does;
both pass only `--bind` on the command line.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "workbench.wsgi"
# Python is CPU-bound here: one process per core and one more, to cover the moments one waits.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Threads keep a worker answering while one of its requests waits on PostgreSQL or a `dot`
# subprocess, so a slow diagram or import cannot hold every worker; each thread keeps its own
# database connection (CONN_MAX_AGE).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
# For gthread workers this is how long a worker may go without heart-beating before it is replaced; it
# never stops one slow request while the worker's other threads are alive. That is done in the app:
# REQUEST_TIMEOUT_SECONDS (workbench/deadline.py) stops a request and answers 504, and an import file is
# parsed in a child process with its own limits (IMPORT_TIMEOUT_SECONDS, imports/bounded.py).
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
