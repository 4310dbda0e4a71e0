from django.urls import path, register_converter

from categories.views import categories, entries, reports, system


class GidConverter:
    """Asana gids are digits; anything else never reaches a view (or Asana)."""

    regex = "[0-9]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(GidConverter, "gid")

urlpatterns = [
    path("", categories.category_list, name="home"),
    path("categories/new/", categories.category_new, name="category_new"),
    path("categories/create/", categories.category_create, name="category_create"),
    path("categories/<gid:gid>/row/", categories.category_row, name="category_row"),
    path("categories/<gid:gid>/edit/", categories.category_edit, name="category_edit"),
    path("categories/<gid:gid>/update/", categories.category_update, name="category_update"),
    path("categories/<gid:gid>/archive/", categories.category_archive, name="category_archive"),
    path(
        "categories/<gid:gid>/unarchive/",
        categories.category_unarchive,
        name="category_unarchive",
    ),
    path(
        "categories/<gid:gid>/confirm-delete/",
        categories.category_confirm_delete,
        name="category_confirm_delete",
    ),
    path("categories/<gid:gid>/delete/", categories.category_delete, name="category_delete"),
    path("categories/<gid:gid>/entries/", entries.category_entries, name="category_entries"),
    path(
        "categories/<gid:gid>/export/entries.csv",
        reports.entries_csv,
        name="category_entries_csv",
    ),
    path(
        "categories/<gid:gid>/export/by-person.csv",
        reports.breakdown_csv,
        {"by": "person"},
        name="category_people_csv",
    ),
    path(
        "categories/<gid:gid>/export/by-project.csv",
        reports.breakdown_csv,
        {"by": "project"},
        name="category_projects_csv",
    ),
    path("overview/", reports.overview, name="overview"),
    path(
        "overview/category/<gid:gid>/",
        reports.overview_category,
        name="overview_category",
    ),
    path("workspace/", system.choose_workspace, name="choose_workspace"),
    path("healthz", system.healthz, name="healthz"),
    path("readyz", system.readyz, name="readyz"),
]
