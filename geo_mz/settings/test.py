"""Test settings: the real PostGIS cluster, a fast password hasher, debug off as in production."""
from .base import *  # noqa: F401,F403
from .env import env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "test-only-insecure-key-geo-mz-0123456789abcdefghij")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the finders: no collectstatic needed to test pages.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
