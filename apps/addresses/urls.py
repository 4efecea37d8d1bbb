"""Routes of the address register: /api/v1/… (JSON, files) and the pages (/m/<token>, statistics)."""
from django.urls import path, re_path

from . import downloads, matching_views, pages, views

api_urlpatterns = [
    path("addresses/", views.AddressListView.as_view(), name="address-list"),
    path("addresses/export", downloads.AddressExportView.as_view(), name="address-export"),
    path("addresses/stats", views.CoverageStatsView.as_view(), name="address-stats"),
    re_path(r"^addresses/(?P<code>[0-9A-Z.\-]+)/retire/?$", views.RetireAddressView.as_view(), name="address-retire"),
    re_path(r"^addresses/(?P<code>[0-9A-Z.\-]+)/history/?$", views.AddressHistoryView.as_view(), name="address-history"),
    re_path(r"^addresses/(?P<code>[0-9A-Z.\-]+)/?$", views.AddressDetailView.as_view(), name="address-detail"),
    path("reverse", views.ReverseGeocodeView.as_view(), name="reverse-geocode"),
    path("roads/<str:road_code>/doors", views.AllocateDoorView.as_view(), name="road-allocate-door"),
    path("plates/<str:plate_no>/qr.svg", views.plate_qr_svg, name="plate-qr"),
    path("geocode", matching_views.GeocodeView.as_view(), name="geocode"),
    path("geocode/batch", matching_views.BatchGeocodeView.as_view(), name="geocode-batch"),
    path("geocode/departments", matching_views.DepartmentHistoryView.as_view(), name="geocode-departments"),
    path("autocomplete", matching_views.AutocompleteView.as_view(), name="autocomplete"),
    path("jobs/<int:job_id>", matching_views.JobView.as_view(), name="job"),
    path("jobs/<int:job_id>/result", matching_views.JobResultView.as_view(), name="job-result"),
]

page_urlpatterns = [
    path("m/<str:token>", pages.scan, name="plate-scan"),
    path("addresses/stats/", pages.statistics, name="address-stats-page"),
    path("addresses/plates/<str:township>.<str:fmt>", downloads.plate_sheet, name="plate-sheet"),
    path("addresses/matching/", pages.batches, name="matching-batches"),
    path("addresses/matching/review/", pages.review_queue, name="matching-review"),
]
