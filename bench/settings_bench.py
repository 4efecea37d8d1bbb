"""Settings of the HTTP benchmark's gunicorn (``bench/http_addresses.py``): the development settings
with DEBUG off (no query log, no debug pages), only 127.0.0.1 as host, and a URL map that adds
the plain-Django baseline views under /bench/ to the real one (``bench/urls_bench.py``).

The database comes from DATABASE_URL as usual; it must be a benchmark database (name ending in
``_bench``) so that a load test never runs against the development data by mistake.
"""
from django.core.exceptions import ImproperlyConfigured

from geo_mz.settings.dev import *  # noqa: F401,F403
from geo_mz.settings.dev import DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls_bench"

if not str(DATABASES["default"].get("NAME", "")).endswith("_bench"):
    raise ImproperlyConfigured(
        f"bench.settings_bench needs a benchmark database (name ending in _bench), "
        f"not {DATABASES['default'].get('NAME')!r}: set DATABASE_URL (bench/http_addresses.py does)")
