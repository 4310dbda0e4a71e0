"""The report screens' URLs: a category's entries, its CSV exports, the overview.
Included from categories/urls.py (which registers the `gid` converter)."""

from django.urls import path

from categories.reports import views

urlpatterns = [
    path("categories/<gid:gid>/entries/", views.category_entries_page, name="category_entries"),
    path(
        "categories/<gid:gid>/export/entries.csv",
        views.entries_csv_download,
        name="category_entries_csv",
    ),
    path(
        "categories/<gid:gid>/export/by-person.csv",
        views.breakdown_csv_download,
        {"by": "person"},
        name="category_people_csv",
    ),
    path(
        "categories/<gid:gid>/export/by-project.csv",
        views.breakdown_csv_download,
        {"by": "project"},
        name="category_projects_csv",
    ),
    path("overview/", views.overview_page, name="overview"),
    path("overview/category/<gid:gid>/", views.overview_row_page, name="overview_category"),
]
