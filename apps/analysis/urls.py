"""Routes of the analyses: /api/v1/analysis/…"""
from django.urls import path

from . import downloads, views

api_urlpatterns = [
    path("analysis/coverage", views.CoverageView.as_view(), name="analysis-coverage"),
    path("analysis/siting", views.SitingView.as_view(), name="analysis-siting"),
    path("analysis/suitability", views.SuitabilityView.as_view(), name="analysis-suitability"),
    path("analysis/runs/", views.RunListView.as_view(), name="analysis-runs"),
    path("analysis/runs/compare", views.CompareView.as_view(), name="analysis-compare"),
    path("analysis/runs/<int:pk>", views.RunDetailView.as_view(), name="analysis-run"),
    path("analysis/runs/<int:pk>/addresses", downloads.AddressesExportView.as_view(), name="analysis-addresses"),
    path("analysis/runs/<int:pk>/uncovered", downloads.UncoveredExportView.as_view(), name="analysis-uncovered"),
    path("analysis/runs/<int:pk>/service-areas", downloads.ServiceAreaView.as_view(), name="analysis-service-areas"),
    path("analysis/runs/<int:pk>/sites", downloads.SitesView.as_view(), name="analysis-sites"),
    path("analysis/runs/<int:pk>/cells", downloads.CellsView.as_view(), name="analysis-cells"),
    path("analysis/runs/<int:pk>/map.html", downloads.MapView.as_view(), name="analysis-map"),
    path("analysis/radius-presets/", views.PresetListView.as_view(), name="analysis-presets"),
    path("analysis/constraint-layers/", views.ConstraintLayerListView.as_view(), name="analysis-constraints"),
]
