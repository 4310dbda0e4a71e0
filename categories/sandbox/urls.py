"""The sandbox's approval page on the dashboard's own origin (demo mode only)."""

from django.urls import path

from . import views

urlpatterns = [
    path("-/oauth_authorize", views.oauth_authorize_page, name="sandbox_oauth_authorize"),
]
