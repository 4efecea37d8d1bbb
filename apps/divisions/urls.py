"""/api/v1/divisions/ routes."""
from django.urls import path

from .views import DivisionDetailView, DivisionListView

urlpatterns = [
    path("divisions/", DivisionListView.as_view(), name="division-list"),
    path("divisions/<str:code>/", DivisionDetailView.as_view(), name="division-detail"),
]
