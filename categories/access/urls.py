"""Signing in and out. Included from categories/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from categories.access import views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
