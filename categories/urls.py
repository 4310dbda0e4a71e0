from django.urls import path

from categories.views import home, system

urlpatterns = [
    path("", home.home, name="home"),
    path("workspace/", system.choose_workspace, name="choose_workspace"),
    path("healthz", system.healthz, name="healthz"),
]
