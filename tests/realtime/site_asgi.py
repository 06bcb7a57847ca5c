"""The ASGI application of :mod:`tests.realtime.site_settings`, static files included (uvicorn has no runserver)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

application = ASGIStaticFilesHandler(get_asgi_application())
