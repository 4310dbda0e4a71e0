"""The frame's URLs: the probes and the workspace switch. Included from categories/urls.py."""

from django.urls import path

from categories.web import views

urlpatterns = [
    path("workspace/", views.workspace_switch, name="choose_workspace"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
