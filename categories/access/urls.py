"""Signing in and out (with a password, or with Asana), and the people page. Included from
categories/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from categories.access import asana_sign_in, views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", views.people_page, name="people"),
    path("accounts/asana/login/", asana_sign_in.asana_sign_in_start, name="asana_sign_in"),
    path(
        "accounts/asana/callback/",
        asana_sign_in.asana_sign_in_callback,
        name="asana_sign_in_callback",
    ),
]
