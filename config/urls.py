from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("categories.urls")),
]
if settings.DEMO_MODE:
    # The sandbox's approval page for signing in with it: the browser must reach it, and in
    # demo mode the sandbox has no address of its own (see categories/sandbox/views.py).
    urlpatterns.append(path("", include("categories.sandbox.urls")))

# A PermissionDenied raised anywhere gets the app's 403 page (or its HTMX message).
handler403 = "categories.access.views.permission_denied"
