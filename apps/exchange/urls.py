"""URLs of the data exchange: OGC API – Features at /ogc/, exports under /api/v1/, the import page."""
from django.urls import path, re_path

from . import ogc, pages, views

ogc_urlpatterns = [
    re_path(r"^ogc/?$", ogc.landing, name="ogc-landing"),
    path("ogc/conformance", ogc.conformance, name="ogc-conformance"),
    re_path(r"^ogc/collections/?$", ogc.collections, name="ogc-collections"),
    path("ogc/collections/<str:collection_id>", ogc.collection, name="ogc-collection"),
    path("ogc/collections/<str:collection_id>/items", ogc.items, name="ogc-items"),
    path("ogc/collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc-item"),
]

api_urlpatterns = [
    path("export/jobs/<int:job_id>/file", views.ExportFileView.as_view(), name="export-job-file"),
    path("export/<str:layer_id>", views.ExportView.as_view(), name="export-layer"),
]
page_urlpatterns = [
    path("imports/", pages.upload, name="exchange-import"),
    path("imports/<str:token>/", pages.preview, name="exchange-import-preview"),
    path("imports/<str:token>/run", pages.run, name="exchange-import-run"),
]
