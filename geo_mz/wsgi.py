"""WSGI entry point (gunicorn geo_mz.wsgi:application)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
application = get_wsgi_application()
