"""CSV exports of a category's report: exactly the entries the screen totals, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from categories import selectors as category_selectors
from categories.asana import NO_RETRIES, AsanaClient, Category, Page, Reference, TimeEntry
from categories.asana.client import PAGE_LIMIT
from categories.reports import selectors
from categories.sandbox.faults import inject_fault
from categories.web.client import asana_client
from tests.support.sandbox import give_second_category
from tests.support.screens import category_gid, sandbox_minutes

pytestmark = pytest.mark.django_db

SEPTEMBER = "range=custom&start=2026-09-01&end=2026-09-30"
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
EXPORT_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="export-test")


def download(client, url: str) -> tuple[StreamingHttpResponse, list[dict[str, str]]]:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only after a byte order mark
    return response, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_entries_csv_is_one_row_per_entry_of_the_range_streamed_as_utf8(admin_http):
    gid = category_gid("Engineering")
    count, minutes = sandbox_minutes(gid, START, END)

    response, rows = download(admin_http, f"/categories/{gid}/export/entries.csv?{SEPTEMBER}")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="time-entries_engineering_2026-09-01_2026-09-30.csv"'
    )
    assert list(rows[0]) == [
        "date", "person", "person_gid", "project", "project_gid", "minutes", "hours",
        "categories",
    ]  # fmt: skip
    assert len(rows) == count
    assert sum(int(row["minutes"]) for row in rows) == minutes
    assert all("2026-09-01" <= row["date"] <= "2026-09-30" for row in rows)
    assert all(Decimal(row["hours"]) == round(Decimal(row["minutes"]) / 60, 2) for row in rows)
    assert all("Engineering" in row["categories"].split(" | ") for row in rows)


def test_entries_csv_agrees_with_the_totals_on_the_screen(admin_http):
    gid = category_gid("Engineering")
    html = admin_http.get(f"/categories/{gid}/entries/?{SEPTEMBER}").content.decode()
    shown_entries = re.search(r'id="total-entries">(\d+)<', html).group(1)
    shown_hours = re.search(r'id="total-hours-decimal">([\d,.]+)<', html).group(1)

    _, rows = download(admin_http, f"/categories/{gid}/export/entries.csv?{SEPTEMBER}")

    assert str(len(rows)) == shown_entries
    assert f"{sum(int(row['minutes']) for row in rows) / 60:,.2f}" == shown_hours


def test_entries_with_two_categories_name_both(admin_http):
    gid = category_gid("Engineering")
    give_second_category(category_gid=gid, second_gid=category_gid("Design"), start=START)

    _, rows = download(admin_http, f"/categories/{gid}/export/entries.csv?range=year-to-date")

    assert any(len(row["categories"].split(" | ")) == 2 for row in rows)
    assert any(row["person"] == "Siobhán O'Neill" for row in rows)  # UTF-8 kept intact


def test_a_preset_exports_the_presets_range(admin_http):
    gid = category_gid("Engineering")

    response, _ = download(admin_http, f"/categories/{gid}/export/entries.csv?range=this-quarter")

    assert re.search(
        r"engineering_\d{4}-\d{2}-01_\d{4}-\d{2}-3[01]\.csv", response["Content-Disposition"]
    )


@pytest.mark.parametrize(("by", "column"), [("person", "person"), ("project", "project")])
def test_breakdown_csv_has_one_row_per_person_or_project_adding_up_to_the_total(
    admin_http, by: str, column: str
):
    gid = category_gid("Engineering")
    count, minutes = sandbox_minutes(gid, START, END)

    response, rows = download(admin_http, f"/categories/{gid}/export/by-{by}.csv?{SEPTEMBER}")

    assert response["Content-Disposition"].endswith(f'2026-09-30_by-{by}.csv"')
    assert list(rows[0]) == [column, f"{column}_gid", "minutes", "hours", "entries", "share"]
    assert sum(int(row["minutes"]) for row in rows) == minutes
    assert sum(int(row["entries"]) for row in rows) == count
    assert [int(row["minutes"]) for row in rows] == sorted(
        (int(row["minutes"]) for row in rows), reverse=True
    )


def test_breakdown_csv_follows_the_tables_order_from_the_url(admin_http):
    gid = category_gid("Engineering")

    _, rows = download(
        admin_http, f"/categories/{gid}/export/by-person.csv?{SEPTEMBER}&people=name"
    )

    names = [row["person"] for row in rows]
    assert names == sorted(names, key=str.casefold)


def test_an_invalid_range_is_refused_and_nothing_is_asked_of_asana(admin_http, asana_calls):
    gid = category_gid("Engineering")

    response = admin_http.get(f"/categories/{gid}/export/entries.csv?range=custom&start=2026-02-30")

    assert response.status_code == 422
    assert "The dates need correcting" in response.content.decode()
    assert asana_calls.category_calls() == []


def test_a_category_that_no_longer_exists_is_a_404_page_not_a_file(admin_http):
    response = admin_http.get(f"/categories/1209000000999999/export/entries.csv?{SEPTEMBER}")

    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()
    assert "Content-Disposition" not in response


def test_asana_failing_on_the_first_page_is_an_error_page_not_a_broken_file(
    admin_http, monkeypatch
):
    gid = category_gid("Engineering")
    monkeypatch.setattr(asana_client(), "retry_policy", NO_RETRIES)
    inject_fault(kind="status", status=503, path_pattern=f"{gid}/time_tracking_entries")

    response = admin_http.get(f"/categories/{gid}/export/entries.csv?{SEPTEMBER}")

    assert response.status_code == 503
    assert "Asana is unavailable" in response.content.decode()
    assert "Content-Disposition" not in response


def test_a_reviewer_may_export(reviewer_http):
    gid = category_gid("Engineering")

    _, rows = download(reviewer_http, f"/categories/{gid}/export/by-project.csv?{SEPTEMBER}")

    assert rows


# --- memory ---------------------------------------------------------------------------


class ManyEntries(AsanaClient):
    """An Asana client whose category has `count` entries over September, made a page at a
    time as asked for (so only what the export holds is ever in memory)."""

    def __init__(self, count: int) -> None:
        super().__init__(base_url="http://asana.invalid/api/1.0", token="t")
        self.count = count
        self.days = (END - START).days + 1

    def category_entries_page(
        self,
        gid: str,
        *,
        start_date: dt.date,
        end_date: dt.date,
        offset: str | None = None,
        **_: object,
    ) -> Page[TimeEntry]:
        person = Reference("1202000000000001", "Zoë “Ünïcode” Lindqvist")
        project = Reference("1203000000000001", "=Project, with comma")
        category = Category(gid, "Engineering", "blue")
        # Entry i is on day i % days: those of the window, from `offset` on, 100 a page.
        wanted = range(int(offset or 0), self.count)
        found: list[TimeEntry] = []
        for index in wanted:
            day = START + dt.timedelta(days=index % self.days)
            if start_date <= day <= end_date:
                found.append(
                    TimeEntry(
                        gid=str(1_300_000_000_000_000 + index),
                        entered_on=day,
                        duration_minutes=15 * (1 + index % 32),
                        created_by=person,
                        attributable_to=project,
                        categories=(category,),
                    )
                )
                if len(found) == PAGE_LIMIT:
                    return Page(found, str(index + 1) if index + 1 < self.count else None)
        return Page(found, None)


def export_peak_bytes(client, monkeypatch, count: int) -> int:
    monkeypatch.setattr(selectors, "asana_client", lambda: ManyEntries(count))
    # As with a real token: date windows fetched side by side, a few pages ahead.
    monkeypatch.setattr(selectors, "asana_executor", lambda: EXPORT_POOL)
    monkeypatch.setattr(
        category_selectors, "category_get", lambda gid, **_: Category(gid, "Engineering", "blue")
    )
    response = client.get(f"/categories/1209000000000001/export/entries.csv?{SEPTEMBER}")
    tracemalloc.start()
    try:
        lines = sum(1 for _ in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == count + 2  # the BOM, the header, then a line per entry
    return peak


def test_memory_stays_flat_from_ten_thousand_to_a_hundred_thousand_entries(admin_http, monkeypatch):
    small = export_peak_bytes(admin_http, monkeypatch, 10_000)
    large = export_peak_bytes(admin_http, monkeypatch, 100_000)

    assert large < 1_000_000  # well under a megabyte, for 100,000 rows
    assert large < small * 2  # ten times the entries, not ten times the memory
