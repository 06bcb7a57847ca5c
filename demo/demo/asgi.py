"""ASGI entry point of the demo site (``make demo`` runs it under uvicorn).

Under ASGI the badge and the inbox page stream their changes (Server-Sent Events) instead of
polling. runserver is not there to serve the static files, so this application does (DEBUG only).
"""

import os

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
django_application = get_asgi_application()
application = ASGIStaticFilesHandler(django_application) if settings.DEBUG else django_application
