"""Settings shared by every environment. Environment-specific files import this and override."""
from __future__ import annotations

from pathlib import Path

import dj_database_url

from apps.common.logs import logging_config

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Coordinates: one storage SRID for every geometry column (CGCS2000), one output SRID.
STORAGE_SRID = 4490
OUTPUT_SRID = 4326

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Demo mode: `make run` sets it; it allows the demo staff account to exist.
DEMO_MODE = env_bool("GEO_MZ_DEMO", False)
# Registers opened to anonymous reads (GET), by URL name: e.g. publishing the division register as
# open data. Default: none, only the public surface (scan page, docs, health, login). Demo mode
# (`make run`) opens the division list and detail, so a running demo answers without an account.
PUBLIC_READS = frozenset(env_list("GEO_MZ_PUBLIC_READS", ["division-list", "division-detail"] if DEMO_MODE else []))
# Joint inspection cycle of boundary lines in years (民政部令第28号 Art. 6).
BOUNDARY_INSPECTION_CYCLE_YEARS = env_int("GEO_MZ_INSPECTION_CYCLE_YEARS", 5)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.common",
    "apps.accounts",
    "apps.divisions",
    "apps.addresses",
    "apps.roadnet",
    "apps.boundaries",
    "apps.placenames",
    "apps.facilities",
    "apps.analysis",
    "apps.mapui",
    "apps.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.common.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.common.logs.RequestLogMiddleware",
    "apps.common.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Secure by default: login or API key everywhere but the public pages; API-key rate limit.
    "apps.accounts.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "geo_mz.urls"
WSGI_APPLICATION = "geo_mz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.common.security.csp_nonce",
            ],
        },
    },
]


def _database_url() -> str:
    """DATABASE_URL, or the private cluster's URL that `scripts/pg.sh start` writes under var/."""
    url = env_str("DATABASE_URL")
    if url:
        return url
    local = BASE_DIR / "var" / "pg" / "database_url"
    if local.exists():
        return local.read_text().strip()
    return ""


_db_url = _database_url()
DATABASES = {
    # Persistent connections are checked (SELECT 1) before their first use in a request, so a
    # database restart costs no failed request (tests/faults/test_reconnect.py).
    "default": dj_database_url.parse(_db_url, engine="django.contrib.gis.db.backends.postgis",
                                     conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
                                     conn_health_checks=env_bool("DJANGO_CONN_HEALTH_CHECKS", True))
    if _db_url
    else {"ENGINE": "django.contrib.gis.db.backends.postgis", "NAME": "geo_mz"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# Lockout: this many failed logins of one username (or from one client) within the window lock it
# for the rest of the window.
GEO_MZ_LOGIN_MAX_FAILURES = env_int("GEO_MZ_LOGIN_MAX_FAILURES", 5)
GEO_MZ_LOGIN_MAX_FAILURES_PER_CLIENT = env_int("GEO_MZ_LOGIN_MAX_FAILURES_PER_CLIENT", 20)
GEO_MZ_LOGIN_LOCK_MINUTES = env_int("GEO_MZ_LOGIN_LOCK_MINUTES", 15)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"
# Per-address results of analysis runs (numpy files; exports and maps are made from them).
ANALYSIS_RESULTS_DIR = env_str("GEO_MZ_ANALYSIS_DIR", str(BASE_DIR / "var" / "analysis"))

# Uploads: large boundary files are fine, bombs are not (checked again by the importers).
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.common.openapi.ProblemAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.common.pagination.GeoJSONLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "apps.common.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    # Session (browser, with CSRF) or a department API key; never HTTP Basic (no lockout bypass).
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.ApiKeyAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.StaffOrKeyRead"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "geo-mz API",
    "DESCRIPTION": "县级民政地理信息服务：行政区划、标准地址与数字门牌、地名、界线联检、服务设施。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Offline: Swagger UI and Redoc come from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several registers have a "status", "level" or "kind" with different value sets: name each.
    "ENUM_NAME_OVERRIDES": {
        "PlaceNameStatusEnum": "apps.placenames.models.Status",
        "PlaceNameAliasKindEnum": "apps.placenames.models.AliasKind",
        "HeritageLevelEnum": "apps.placenames.models.HeritageLevel",
        "FacilityStatusEnum": "apps.facilities.models.Status",
        "FacilityOpenStatusEnum": ["规划", "在建", "建成", "运营", "停运"],
        "HazardStatusEnum": "apps.facilities.models.HazardStatus",
        "HazardLevelEnum": "apps.facilities.models.HazardLevel",
        "CentreLevelEnum": "apps.facilities.models.CentreLevel",
        "AnalysisRunKindEnum": "apps.analysis.models.RunKind",
        "AnalysisRunStatusEnum": "apps.analysis.models.RunStatus",
    },
}

# Logs: text lines in development and tests, one JSON object per line in production
# (apps.common.logs; every request is logged with method, path, status, duration and user).
GEO_MZ_LOG_LEVEL = env_str("GEO_MZ_LOG_LEVEL", "INFO")
LOGGING = logging_config(env_str("GEO_MZ_LOG_FORMAT", "text"), GEO_MZ_LOG_LEVEL)

# Base map for map widgets and pages: an XYZ URL template (intranet tile server, 天地图 with key).
# Empty: no base layer, our own layers only (works offline).
GEO_MZ_TILE_URL = env_str("GEO_MZ_TILE_URL", "")
GEO_MZ_TILE_ATTRIBUTION = env_str("GEO_MZ_TILE_ATTRIBUTION", "")

# Debian 12 ships GDAL 3.6, which cannot block file/network access from crafted spatial
# references (fixed in 3.9). Our importers resolve CRSs through pyproj and our own whitelist
# (apps.common.crs), never by handing a user's WKT to GDAL, so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# The county whose register this deployment keeps (the address matcher's home; 德清县 in the demo).
GEO_MZ_HOME_COUNTY = env_str("GEO_MZ_HOME_COUNTY", "330521")
