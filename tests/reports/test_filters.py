"""Filters by person and project, on the overview, a category's entries, the team and the
time with no category: carried by the URL, checked against the range's entries, followed
by the totals, the charts and the exports; and the team's cells open the entries they sum.

Asana is faked at the report selectors' boundary with five entries whose totals are worked
out by hand below, so every figure asserted here can be checked on paper.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from categories import selectors as category_selectors
from categories.asana import Category, Reference, TimeEntry
from categories.reports import selectors
from categories.reports.entries import CategoryEntries, WorkspaceEntries, sort_entries
from tests.support.report_entries import make_entry
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
SEPTEMBER = "range=custom&start=2026-09-01&end=2026-09-30"
DESIGN = Category("1", "Design", "red")
BUILD = Category("2", "Build", "blue")
ANN = Reference("10", "Ann <b>Ó'Brien</b>")  # markup in a name: text, never HTML
BOB = Reference("11", "Bob")
ALPHA = Reference("20", "Alpha")
BETA = Reference("21", "Beta")


def entries() -> list[TimeEntry]:
    """September 2026, by hand (minutes):

    | entry | day   | min | person | project | category |
    |-------|-------|-----|--------|---------|----------|
    | 1     | 1 Sep | 60  | Ann    | Alpha   | Design   |
    | 2     | 30 Sep| 30  | Ann    | (none)  | Build    |
    | 3     | 1 Sep | 15  | Ann    | Alpha   | (none)   |
    | 4     | 14 Sep| 45  | Bob    | Beta    | Design   |
    | 5     | 15 Sep| 120 | Bob    | Alpha   | (none)   |

    Ann: Design 60, Build 30, no category 15 (105 logged). Bob: Design 45, none 120.
    Alpha: Design 60, no category 135 (195 logged). Beta: Design 45.
    """
    return [
        make_entry("1", START, 60, person=ANN, project=ALPHA, categories=(DESIGN,)),
        make_entry("2", END, 30, person=ANN, categories=(BUILD,)),
        make_entry("3", START, 15, person=ANN, project=ALPHA, categories=()),
        make_entry("4", "2026-09-14", 45, person=BOB, project=BETA, categories=(DESIGN,)),
        make_entry("5", "2026-09-15", 120, person=BOB, project=ALPHA, categories=()),
    ]


def _in(start: dt.date, end: dt.date, category: str | None = None) -> list[TimeEntry]:
    return [
        entry
        for entry in entries()
        if start <= entry.entered_on <= end
        and (category is None or category in {c.gid for c in entry.categories})
    ]


class FakeClient:
    def stream_category_entries(self, gid: str, *, start_date, end_date, **_: Any) -> Iterator:
        return iter(_in(start_date, end_date, gid))


@pytest.fixture
def asana(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report selectors read the five entries above, whatever they ask Asana."""

    def ranges(*, category_gid: str, spans, sort="-date", refresh=False) -> list:
        return [
            CategoryEntries(category_gid, s, e, sort_entries(_in(s, e, category_gid), sort=sort))
            for s, e in spans
        ]

    def one(*, category_gid: str, start, end, sort="-date", refresh=False) -> CategoryEntries:
        return ranges(category_gid=category_gid, spans=[(start, end)], sort=sort)[0]

    def sweep(*, workspace_gid: str, start, end, refresh=False) -> WorkspaceEntries:
        return WorkspaceEntries(workspace_gid, start, end, _in(start, end))

    monkeypatch.setattr(selectors, "entries_for_ranges", ranges)
    monkeypatch.setattr(selectors, "entries_for_category", one)
    monkeypatch.setattr(selectors, "entries_for_workspace", sweep)
    monkeypatch.setattr(selectors, "asana_client", FakeClient)
    monkeypatch.setattr(selectors, "overview_category_list", lambda **_: [DESIGN, BUILD])
    categories = {DESIGN.gid: DESIGN, BUILD.gid: BUILD}
    monkeypatch.setattr(category_selectors, "category_get", lambda *, gid, **_: categories[gid])


def page(client, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == status, response.content.decode()[:800]
    return response.content.decode()


def minutes_of(text: str, row_id: str) -> int:
    """The data-minutes of the first figure in the table row `row_id`."""
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', text, re.S)
    assert row, f"no row {row_id}"
    return int(re.search(r'data-minutes="(\d+)"', row.group(1)).group(1))


def chart(text: str, element_id: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', text)
    assert found, f"no chart {element_id}"
    return json.loads(found.group(1))


def hrefs(text: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', text)]


def csv_of(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_of(client, url: str) -> list[tuple]:
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


ANN_ONLY = f"{SEPTEMBER}&person={ANN.gid}"


# --- the overview ---------------------------------------------------------------------------


def test_an_overview_filtered_to_a_person_totals_only_their_time_no_category_included(
    admin_http, asana
) -> None:
    text = page(admin_http, f"/overview/?{ANN_ONLY}&full=1")

    assert minutes_of(text, f"overview-row-{DESIGN.gid}") == 60
    assert minutes_of(text, f"overview-row-{BUILD.gid}") == 30
    assert minutes_of(text, "overview-row-none") == 15
    assert minutes_of(text, "overview-logged") == 105
    assert '<dd id="overview-distinct-entries">2</dd>' in text  # with a category


def test_an_overview_filtered_to_a_project_and_a_person_keeps_entries_with_both(
    admin_http, asana
) -> None:
    alpha = page(admin_http, f"/overview/?{SEPTEMBER}&project={ALPHA.gid}&full=1")
    assert minutes_of(alpha, f"overview-row-{DESIGN.gid}") == 60
    assert minutes_of(alpha, f"overview-row-{BUILD.gid}") == 0
    assert minutes_of(alpha, "overview-row-none") == 135
    assert minutes_of(alpha, "overview-logged") == 195

    both = page(admin_http, f"/overview/?{SEPTEMBER}&project={ALPHA.gid}&person={BOB.gid}&full=1")
    assert minutes_of(both, f"overview-row-{DESIGN.gid}") == 0
    assert minutes_of(both, "overview-row-none") == 120


def test_a_filtered_overview_is_read_at_once_and_its_lazy_part_agrees(admin_http, asana) -> None:
    frame = page(admin_http, f"/overview/?{ANN_ONLY}")  # no loading placeholder to wait on
    lazy = page(admin_http, f"/overview/?{ANN_ONLY}", **htmx("overview-results"))
    for text in (frame, lazy):
        assert minutes_of(text, "overview-logged") == 105


def test_the_overview_charts_follow_the_filtered_entries(admin_http, asana) -> None:
    text = page(admin_http, f"/overview/?{ANN_ONLY}&full=1")

    bars = chart(text, "chart-overview-categories")
    assert dict(zip(bars["labels"], bars["datasets"][0]["data"], strict=True)) == {
        "Design": 1.0,
        "Build": 0.5,
    }
    weekly = chart(text, "chart-overview-weekly")
    assert sum(sum(dataset["data"]) for dataset in weekly["datasets"]) == 1.5


def test_the_filters_are_in_the_url_of_every_link_and_in_the_forms(admin_http, asana) -> None:
    text = page(admin_http, f"/overview/?{ANN_ONLY}&archived=1&full=1")

    assert f'<option value="{ANN.gid}" selected>' in text
    # The range form keeps the filters; the filters' form keeps the range and the scope.
    range_form = re.search(r'<form[^>]*class="custom-range.*?</form>', text, re.S).group(0)
    assert f'<input type="hidden" name="person" value="{ANN.gid}">' in range_form
    filters = re.search(r'<form[^>]*id="narrowing".*?</form>', text, re.S).group(0)
    assert 'hx-get="/overview/"' in filters
    for hidden in ("range", "custom"), ("start", "2026-09-01"), ("archived", "1"):
        assert '<input type="hidden" name="{}" value="{}">'.format(*hidden) in filters
    assert 'type="hidden" name="person"' not in filters
    links = hrefs(text)
    presets = [href for href in links if href.startswith("/overview/?range=")]
    assert presets
    assert all(f"person={ANN.gid}" in href for href in presets)
    for download in ("/overview/export.csv?", "/overview/export.xlsx?"):
        (url,) = [href for href in links if href.startswith(download)]
        assert f"person={ANN.gid}" in url
    assert f"/no-category/?{SEPTEMBER}&person={ANN.gid}" in links
    # A category row with the person's time opens it filtered; one without, unfiltered.
    assert f"/categories/{DESIGN.gid}/entries/?{ANN_ONLY}" in links
    bob = page(admin_http, f"/overview/?{SEPTEMBER}&person={BOB.gid}&full=1")
    assert f"/categories/{BUILD.gid}/entries/?{SEPTEMBER}" in hrefs(bob)


def test_the_overview_csv_and_excel_hold_the_filtered_hours(admin_http, asana) -> None:
    header, *rows = csv_of(admin_http, f"/overview/export.csv?{ANN_ONLY}")
    minutes = header.index("minutes")
    assert {row[0]: int(row[minutes]) for row in rows} == {
        "Design": 60,
        "Build": 30,
        "No category": 15,
    }

    header, *rows = xlsx_of(admin_http, f"/overview/export.xlsx?{SEPTEMBER}&project={BETA.gid}")
    assert {row[0]: row[header.index("minutes")] for row in rows} == {
        "Design": 45,
        "Build": 0,
        "No category": 0,
    }


def test_a_name_with_markup_is_shown_as_text_in_the_filters(admin_http, asana) -> None:
    text = page(admin_http, f"/overview/?{ANN_ONLY}&full=1")

    assert "<b>Ó" not in text
    assert "Ann &lt;b&gt;Ó&#x27;Brien&lt;/b&gt;</option>" in text


# --- a person or project the range does not have -----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/overview/?{SEPTEMBER}&person=999",
        f"/categories/{DESIGN.gid}/entries/?{SEPTEMBER}&person=999",
        f"/team/?{SEPTEMBER}&person=999",
        f"/no-category/?{SEPTEMBER}&person=999",
    ],
)
def test_an_unknown_person_is_a_message_by_the_select_not_an_error_page(
    admin_http, asana, url
) -> None:
    text = page(admin_http, url, status=422)

    error = re.search(r'<small class="field-error" id="narrow-person-error">(.*?)</small>', text)
    assert error
    assert "Choose a person from the list." in error.group(1)
    assert 'aria-describedby="narrow-person-error"' in text
    assert f'<option value="{ANN.gid}">' in text  # the options to choose from instead
    assert "person=999" not in text  # no link keeps the unknown choice


def test_an_unknown_project_on_the_entries_page_keeps_the_rest_of_the_query(
    admin_http, asana
) -> None:
    url = f"/categories/{DESIGN.gid}/entries/?{SEPTEMBER}&sort=duration&project=<b>x"
    text = page(admin_http, url, status=422, **htmx("entries-panel"))

    assert 'id="narrow-project-error"' in text
    assert "Choose a project from the list." in text
    assert "<b>x" not in text
    assert '<input type="hidden" name="sort" value="duration">' in text


def test_an_export_asked_for_an_unknown_person_says_so(admin_http, asana) -> None:
    for url in ("/overview/export.csv", "/team/export.csv"):
        response = admin_http.get(f"{url}?{SEPTEMBER}&person=999")
        assert response.status_code == 422
        assert "Choose a person from the list." in response.content.decode()


# --- a category's entries ---------------------------------------------------------------------


def test_a_categorys_entries_filtered_to_a_person(reviewer_http, asana) -> None:
    text = page(reviewer_http, f"/categories/{DESIGN.gid}/entries/?{ANN_ONLY}")

    assert '<dd id="total-entries">1</dd>' in text
    assert '<span id="total-hours-decimal">1.00</span>' in text
    assert f'<option value="{ANN.gid}" selected>' in text
    assert f'<option value="{BOB.gid}">' in text  # the category's other people stay choices
    series = chart(text, "chart-hours-over-time")
    assert sum(series["datasets"][0]["data"]) == 1.0
    people = re.search(r'<table[^>]*id="breakdown-person".*?</table>', text, re.S).group(0)
    assert "Bob" not in people
    links = [href for href in hrefs(text) if href.startswith("/categories/")]
    assert links
    assert all(f"person={ANN.gid}" in href for href in links)


def test_a_categorys_csv_and_excel_exports_hold_only_the_filtered_entries(
    reviewer_http, asana
) -> None:
    base = f"/categories/{DESIGN.gid}/export"
    header, *rows = csv_of(reviewer_http, f"{base}/entries.csv?{SEPTEMBER}&project={BETA.gid}")
    assert [(row[header.index("person")], row[header.index("minutes")]) for row in rows] == [
        ("Bob", "45")
    ]
    header, *rows = xlsx_of(reviewer_http, f"{base}/entries.xlsx?{ANN_ONLY}")
    assert [row[header.index("minutes")] for row in rows] == [60]
    header, *rows = csv_of(reviewer_http, f"{base}/by-project.csv?{ANN_ONLY}")
    assert [(row[0], row[header.index("minutes")]) for row in rows] == [("Alpha", "60")]
    response = reviewer_http.get(f"{base}/entries.csv?{ANN_ONLY}")
    assert f"person-{ANN.gid}" in response["Content-Disposition"]


# --- the team -----------------------------------------------------------------------------------


def test_each_team_cell_opens_the_entries_it_sums_with_the_same_range(admin_http, asana) -> None:
    text = page(admin_http, f"/team/?{SEPTEMBER}")
    links = hrefs(text)

    assert f"/categories/{DESIGN.gid}/entries/?{SEPTEMBER}&person={ANN.gid}" in links
    assert f"/categories/{BUILD.gid}/entries/?{SEPTEMBER}&person={ANN.gid}" in links
    assert f"/categories/{DESIGN.gid}/entries/?{SEPTEMBER}&person={BOB.gid}" in links
    assert f"/no-category/?{SEPTEMBER}&person={BOB.gid}" in links
    # Bob logged nothing in Build: his cell is empty, not a link.
    assert f"/categories/{BUILD.gid}/entries/?{SEPTEMBER}&person={BOB.gid}" not in links


def test_a_team_filtered_to_a_project_links_its_cells_to_that_project_too(
    admin_http, asana
) -> None:
    text = page(admin_http, f"/team/?{SEPTEMBER}&project={ALPHA.gid}")

    assert f"/no-category/?{SEPTEMBER}&project={ALPHA.gid}&person={BOB.gid}" in hrefs(text)
    _header, *rows = csv_of(admin_http, f"/team/export.csv?{SEPTEMBER}&project={ALPHA.gid}")
    assert rows[-1][0] == "Total"
    assert rows[-1][-1] == "3.25"


def test_a_team_cell_and_the_page_it_opens_show_the_same_hours(admin_http, asana) -> None:
    team = page(admin_http, f"/team/?{SEPTEMBER}")
    cells = [href for href in hrefs(team) if "person=" in href]
    assert len(cells) == 5  # Ann: Design, Build, none; Bob: Design, none
    for href in cells:
        cell = re.search(rf'<a href="{re.escape(html.escape(href))}">([\d.]+)</a>', team)
        opened = page(admin_http, href)
        shown = re.search(
            r'id="(?:total-hours-decimal|uncategorised-hours)">([\d.]+)<', opened
        ).group(1)
        assert cell, href
        assert cell.group(1) == shown, href
