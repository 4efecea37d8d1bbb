"""URLs of the record history: the staff pages and the API (included from geo_mz/urls.py)."""
from django.urls import path

from . import history_views

LABEL = "<str:label>"

page_urlpatterns = [
    path(f"history/{LABEL}/code/<str:code>/", history_views.history_by_code, name="history-by-code"),
    path(f"history/{LABEL}/<str:key>/", history_views.history_page, name="history-page"),
]

api_urlpatterns = [
    path(f"history/{LABEL}/<str:key>/", history_views.HistoryAPIView.as_view(), name="history-api"),
    path(f"history/{LABEL}/<str:key>/restore", history_views.RestoreAPIView.as_view(), name="history-restore-api"),
]
