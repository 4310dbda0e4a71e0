"""Signing in and out, and the audit log. Included from config/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from categories.views import access

urlpatterns = [
    path("accounts/login/", access.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", access.audit_log, name="audit_log"),
]
