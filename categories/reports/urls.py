"""The report screens' URLs: a category's entries, its exports, the overview.
Included from categories/urls.py (which registers the `gid` converter)."""

from django.urls import path, register_converter

from categories.reports import views


class ExportFormatConverter:
    """The file formats an export comes in; anything else never reaches a view."""

    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export")

urlpatterns = [
    path("categories/<gid:gid>/entries/", views.category_entries_page, name="category_entries"),
    path(
        "categories/<gid:gid>/export/entries.<export:extension>",
        views.entries_export_download,
        name="category_entries_export",
    ),
    path(
        "categories/<gid:gid>/export/by-person.<export:extension>",
        views.breakdown_export_download,
        {"by": "person"},
        name="category_people_export",
    ),
    path(
        "categories/<gid:gid>/export/by-project.<export:extension>",
        views.breakdown_export_download,
        {"by": "project"},
        name="category_projects_export",
    ),
    path("overview/", views.overview_page, name="overview"),
    path(
        "overview/export.<export:extension>", views.overview_export_download, name="overview_export"
    ),
    path("overview/category/<gid:gid>/", views.overview_row_page, name="overview_category"),
    path("team/", views.team_page, name="team"),
    path("team/export.csv", views.team_csv_download, name="team_csv"),
    path("no-category/", views.uncategorised_page, name="uncategorised"),
]
