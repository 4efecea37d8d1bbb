"""Routes of the place-name gazetteer: /api/v1/placenames/… and the pages under /placenames/."""
from django.urls import path

from . import pages, records_views, views

_CODE = "<str:code>"

api_urlpatterns = [
    path("placenames/", views.PlaceNameListView.as_view(), name="placename-list"),
    path("placenames/check", views.NamingCheckView.as_view(), name="placename-check"),
    path("placenames/audit", records_views.AuditView.as_view(), name="placename-audit"),
    path(f"placenames/{_CODE}", views.PlaceNameDetailView.as_view(), name="placename-detail"),
    path(f"placenames/{_CODE}/history", views.PlaceNameHistoryView.as_view(), name="placename-history"),
    path(f"placenames/{_CODE}/submit", views.SubmitView.as_view(), name="placename-submit"),
    path(f"placenames/{_CODE}/approve", views.ApproveView.as_view(), name="placename-approve"),
    path(f"placenames/{_CODE}/rename", views.RenameView.as_view(), name="placename-rename"),
    path(f"placenames/{_CODE}/cancel", views.CancelView.as_view(), name="placename-cancel"),
    path(f"placenames/{_CODE}/aliases", views.AliasView.as_view(), name="placename-aliases"),
    path("placename-categories/", views.CategoryListView.as_view(), name="placename-categories"),
    path("placename-announcements/", records_views.AnnouncementListView.as_view(), name="placename-announcements"),
    path("placename-announcements/<int:pk>", records_views.AnnouncementDetailView.as_view(),
         name="placename-announcement"),
    path("placename-heritage/", records_views.HeritageListView.as_view(), name="placename-heritage"),
]

page_urlpatterns = [
    path("placenames/", pages.gazetteer, name="placenames-page"),
    path("placenames/announcements/", pages.announcements, name="placenames-announcements-page"),
    path("placenames/heritage/", pages.heritage, name="placenames-heritage-page"),
    path("placenames/audit/", pages.audit, name="placenames-audit-page"),
]
