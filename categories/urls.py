"""Every URL of the dashboard (included from config/urls.py): the category screens here,
the other packages' from their own urls modules. URL names are what templates and
`reverse` use; they name the page or action, not the view function."""

from django.urls import include, path, register_converter

from categories import views


class GidConverter:
    """Asana gids are digits; anything else never reaches a view (or Asana)."""

    regex = "[0-9]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(GidConverter, "gid")

urlpatterns = [
    path("", include("categories.access.urls")),
    path("", views.category_list_page, name="home"),
    path("categories/new/", views.category_new_page, name="category_new"),
    path("categories/create/", views.category_create_submit, name="category_create"),
    path("categories/<gid:gid>/row/", views.category_row_page, name="category_row"),
    path("categories/<gid:gid>/edit/", views.category_edit_page, name="category_edit"),
    path("categories/<gid:gid>/update/", views.category_update_submit, name="category_update"),
    path("categories/<gid:gid>/archive/", views.category_archive_submit, name="category_archive"),
    path(
        "categories/<gid:gid>/unarchive/",
        views.category_unarchive_submit,
        name="category_unarchive",
    ),
    path(
        "categories/<gid:gid>/confirm-delete/",
        views.category_confirm_delete_page,
        name="category_confirm_delete",
    ),
    path("categories/<gid:gid>/delete/", views.category_delete_submit, name="category_delete"),
    path("audit/", views.audit_log_page, name="audit_log"),
    path("", include("categories.reports.urls")),
    path("", include("categories.jobs.urls")),
    path("", include("categories.web.urls")),
]
