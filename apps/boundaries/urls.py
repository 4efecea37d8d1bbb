"""Routes of boundary lines, markers and joint inspections under /api/v1/, and the field page."""
from django.urls import path

from . import pages, views

api_urlpatterns = [
    path("boundary-lines/", views.LineListView.as_view(), name="boundary-line-list"),
    path("boundary-lines/due", views.DueLinesView.as_view(), name="boundary-line-due"),
    path("boundary-lines/derive", views.DeriveLineView.as_view(), name="boundary-line-derive"),
    path("boundary-lines/<str:code>/", views.LineDetailView.as_view(), name="boundary-line-detail"),
    path("boundary-lines/<str:code>/ad-hoc-inspection", views.AdHocInspectionView.as_view(),
         name="boundary-line-adhoc"),
    path("boundary-markers/", views.MarkerListView.as_view(), name="boundary-marker-list"),
    path("boundary-markers/<str:number>/", views.MarkerDetailView.as_view(), name="boundary-marker-detail"),
    path("boundary-markers/<str:number>/photos", views.MarkerPhotoView.as_view(), name="boundary-marker-photos"),
    path("boundary-markers/<str:number>/register.pdf", views.MarkerRegisterPdfView.as_view(), name="boundary-marker-pdf"),
    path("inspections/", views.CampaignListView.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", views.CampaignDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/records", views.RecordView.as_view(), name="inspection-records"),
    path("inspections/<int:pk>/findings", views.FindingView.as_view(), name="inspection-findings"),
    path("inspections/<int:pk>/follow-ups", views.FollowUpView.as_view(), name="inspection-follow-ups"),
    path("inspections/<int:pk>/follow-ups/<int:item>/close", views.CloseFollowUpView.as_view(),
         name="inspection-follow-up-close"),
    path("inspections/<int:pk>/complete", views.CompleteView.as_view(), name="inspection-complete"),
    path("inspections/<int:pk>/report.pdf", views.CampaignReportPdfView.as_view(), name="inspection-report-pdf"),
]

page_urlpatterns = [
    path("boundaries/field/<str:number>/", pages.field_inspection, name="boundary-field"),
]
