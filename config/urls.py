from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("categories.urls")),
]

# A PermissionDenied raised anywhere gets the app's 403 page (or its HTMX message).
handler403 = "categories.access.views.permission_denied"
