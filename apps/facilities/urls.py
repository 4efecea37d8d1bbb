"""Routes of the facility register: /api/v1/facilities/… and the rollout page."""
from django.urls import path

from . import pages, views

api_urlpatterns = [
    path("facilities/", views.FacilityListView.as_view(), name="facility-list"),
    path("facilities/rollout", views.RolloutView.as_view(), name="facility-rollout"),
    path("facilities/<str:code>", views.FacilityDetailView.as_view(), name="facility-detail"),
    path("facilities/<str:code>/status", views.FacilityStatusView.as_view(), name="facility-status"),
    path("facilities/<str:code>/retire", views.FacilityRetireView.as_view(), name="facility-retire"),
    path("facilities/<str:code>/hazards", views.HazardListView.as_view(), name="facility-hazards"),
    path("facilities/<str:code>/hazards/<int:hazard_id>", views.HazardUpdateView.as_view(), name="facility-hazard"),
    path("facility-kinds/", views.KindListView.as_view(), name="facility-kinds"),
]

page_urlpatterns = [
    path("facilities/rollout/", pages.rollout_page, name="facility-rollout-page"),
]
