"""Routes of the accounts app: the staff login and logout pages."""
from django.urls import path

from . import views

page_urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
]
