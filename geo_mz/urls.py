"""Top-level URL map: the versioned API, its schema and docs, and the admin."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from apps.accounts.urls import page_urlpatterns as account_pages
from apps.analysis.urls import api_urlpatterns as analysis_api
from apps.addresses.urls import api_urlpatterns as address_api, page_urlpatterns as address_pages
from apps.boundaries.urls import api_urlpatterns as boundary_api, page_urlpatterns as boundary_pages
from apps.common.health import healthz, readyz
from apps.common.urls import api_urlpatterns as history_api, page_urlpatterns as history_pages
from apps.common.views import home
from apps.exchange.urls import api_urlpatterns as exchange_api, ogc_urlpatterns, page_urlpatterns as exchange_pages
from apps.facilities.urls import api_urlpatterns as facility_api, page_urlpatterns as facility_pages
from apps.mapui.urls import page_urlpatterns as map_pages
from apps.placenames.urls import api_urlpatterns as placename_api, page_urlpatterns as placename_pages

admin.site.site_header = "geo-mz 民政地理信息管理"
admin.site.site_title = "geo-mz"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", home, name="home"),
    path("", include(account_pages)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include("apps.divisions.urls")),
    path("api/v1/", include(address_api)),
    path("", include(address_pages)),
    path("api/v1/", include(boundary_api)),
    path("", include(boundary_pages)),
    path("api/v1/", include(placename_api)),
    path("", include(placename_pages)),
    path("api/v1/", include(facility_api)),
    path("", include(facility_pages)),
    path("api/v1/", include(analysis_api)),
    path("", include(map_pages)),
    path("api/v1/", include(exchange_api)),
    path("", include(ogc_urlpatterns)),
    path("", include(exchange_pages)),
    path("api/v1/", include(history_api)),
    path("", include(history_pages)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

handler404 = "apps.common.errors.not_found"  # problem+json under /api/, /ogc/, /tiles/
