"""Excel beside every CSV: typed cells, a frozen bold header, the same rows, named files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.support.screens import category_gid, sandbox_minutes

pytestmark = pytest.mark.django_db

SEPTEMBER = "range=custom&start=2026-09-01&end=2026-09-30"
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    return response, load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def csv_rows_of(client, url: str) -> list[list[str]]:
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_entries_workbook_has_typed_cells_and_a_frozen_header(admin_http) -> None:
    gid = category_gid("Engineering")
    count, minutes = sandbox_minutes(gid, START, END)
    response, workbook = workbook_of(
        admin_http, f"/categories/{gid}/export/entries.xlsx?{SEPTEMBER}"
    )

    assert response["Content-Disposition"] == (
        'attachment; filename="time-entries_engineering_2026-09-01_2026-09-30.xlsx"'
    )
    sheet = workbook.active
    assert sheet.title == "Entries"
    assert sheet.freeze_panes == "A2"
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header][:3] == ["date", "person", "person_gid"]
    assert all(cell.font.bold for cell in header)
    assert len(rows) == count
    assert sum(row[5].value for row in rows) == minutes
    for row in rows:
        date, hours = row[0], row[6]
        assert isinstance(date.value, dt.datetime)  # Excel stores dates as date-times
        assert START <= date.value.date() <= END
        assert date.number_format == "yyyy-mm-dd"
        assert isinstance(hours.value, (int, float))
        assert hours.number_format == "0.00"
        assert Decimal(str(hours.value)) == round(Decimal(row[5].value) / 60, 2)


def test_the_workbook_holds_the_same_rows_as_the_csv(admin_http) -> None:
    gid = category_gid("Engineering")
    base = f"/categories/{gid}/export/by-person"
    _, workbook = workbook_of(admin_http, f"{base}.xlsx?{SEPTEMBER}")
    from_csv = csv_rows_of(admin_http, f"{base}.csv?{SEPTEMBER}")
    from_xlsx = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert [row[:3] for row in from_xlsx[1:]] == [
        [name, person_gid, int(minutes)] for name, person_gid, minutes, *_ in from_csv[1:]
    ]


def test_the_overview_exports_hours_per_category(admin_http) -> None:
    rows = csv_rows_of(admin_http, f"/overview/export.csv?{SEPTEMBER}")
    header, *categories = rows
    assert header[:5] == ["category", "category_gid", "archived", "minutes", "hours"]
    engineering = next(row for row in categories if row[0] == "Engineering")
    count, minutes = sandbox_minutes(engineering[1], START, END)
    assert int(engineering[3]) == minutes
    assert int(engineering[5]) == count
    _, workbook = workbook_of(admin_http, f"/overview/export.xlsx?{SEPTEMBER}")
    assert workbook.active.max_row == len(rows)


def test_the_overview_export_ends_with_the_time_logged_with_no_category(admin_http) -> None:
    from categories.sandbox.models import SandboxEntry

    *_, last = csv_rows_of(admin_http, f"/overview/export.csv?{SEPTEMBER}")

    workspace = SandboxEntry.objects.filter(categories__name="Engineering").first().workspace
    none = SandboxEntry.objects.filter(
        workspace=workspace, categories__isnull=True, entered_on__range=(START, END)
    )
    assert none.exists(), "the demo data has time with no category in September"
    assert last[:3] == ["No category", "", "no"]
    assert int(last[3]) == sum(none.values_list("duration_minutes", flat=True))
    assert int(last[5]) == none.count()
    assert last[6] == ""  # shares are of the categories' hours


def test_a_bad_range_is_refused_with_words_not_a_file(admin_http) -> None:
    gid = category_gid("Engineering")
    response = admin_http.get(f"/categories/{gid}/export/entries.xlsx?range=custom&start=x")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")


def test_the_entries_screen_links_both_formats_with_its_filters(admin_http) -> None:
    gid = category_gid("Engineering")
    html = admin_http.get(f"/categories/{gid}/entries/?{SEPTEMBER}").content.decode()
    for name in ("entries", "by-person", "by-project"):
        for extension in ("csv", "xlsx"):
            assert f"/export/{name}.{extension}?range=custom&amp;start=2026-09-01" in html
