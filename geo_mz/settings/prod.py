"""Production settings: refuse to start without a real secret, hosts and a database; every
`manage.py check --deploy` warning is addressed here."""
from django.core.exceptions import ImproperlyConfigured

from apps.common.logs import logging_config

from .base import *  # noqa: F401,F403
from .base import GEO_MZ_LOG_LEVEL
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of at least 50 characters.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production.")
if not env_str("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL is required in production.")

# TLS is normally terminated by the bureau's reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# One JSON object per log line unless the operator asks for text.
LOGGING = logging_config(env_str("GEO_MZ_LOG_FORMAT", "json"), GEO_MZ_LOG_LEVEL)
