from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from workbench.local_files import prepare

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
prepare()  # before the settings load, which only read the secret key
application = get_wsgi_application()
