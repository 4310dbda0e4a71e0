"""Views across categories cost what the entries cost: one sweep of the workspace's entries,
grouped in memory by category (time with no category included), person and project."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from categories.asana import Category, Reference
from categories.reports.calculations import (
    loads_by_category,
    narrowed,
    team_matrix,
    without_category,
)
from categories.sandbox.faults import inject_fault
from tests.support.report_entries import make_entry
from tests.support.screens import category_gid, htmx, use_workspace

START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
SEPTEMBER = "range=custom&start=2026-09-01&end=2026-09-30"
DESIGN = Category("1", "Design", "red")
BUILD = Category("2", "Build", "blue")
ANN = Reference("10", "Ann <b>Ó'Brien</b>")
BOB = Reference("11", "Bob")
ALPHA = Reference("20", "Alpha")


def hand_made() -> list:
    """Ann: Design 60 + Build 30 + none 15; Bob: Design 45 + none 120 (window edges too)."""
    return [
        make_entry("1", START, 60, person=ANN, project=ALPHA, categories=(DESIGN,)),
        make_entry("2", END, 30, person=ANN, categories=(BUILD,)),
        make_entry("3", START, 15, person=ANN, project=ALPHA, categories=()),
        make_entry("4", "2026-09-14", 45, person=BOB, categories=(DESIGN,)),
        make_entry("5", "2026-09-15", 120, person=BOB, project=ALPHA, categories=()),
    ]


# --- grouping, against hand-computed totals ----------------------------------------------


def test_each_category_gets_exactly_its_entries_and_no_category_the_rest() -> None:
    loads = loads_by_category(hand_made(), [DESIGN, BUILD])
    assert {load.category.name: [e.gid for e in load.entries] for load in loads} == {
        "Design": ["1", "4"],
        "Build": ["2"],
    }
    assert [entry.gid for entry in without_category(hand_made())] == ["3", "5"]


def test_the_team_matrix_adds_up_by_person_by_category_and_in_all() -> None:
    matrix = team_matrix(hand_made())
    assert [column.label for column in matrix.columns] == ["Design", "Build", "No category"]
    assert [column.minutes for column in matrix.columns] == [105, 30, 135]
    cells = {
        row.label: [matrix.cell(row, column) for column in matrix.columns] for row in matrix.rows
    }
    assert cells == {"Bob": [45, 0, 120], "Ann <b>Ó'Brien</b>": [60, 30, 15]}
    assert [row.minutes for row in matrix.rows] == [165, 105]
    assert matrix.minutes == 270 == sum(row.minutes for row in matrix.rows)


def test_narrowing_keeps_one_person_and_or_one_project() -> None:
    assert [e.gid for e in narrowed(hand_made(), person=ANN.gid)] == ["1", "2", "3"]
    assert [e.gid for e in narrowed(hand_made(), project=ALPHA.gid)] == ["1", "3", "5"]
    assert [e.gid for e in narrowed(hand_made(), person=BOB.gid, project=ALPHA.gid)] == ["5"]


# --- the screens, against the sandbox ------------------------------------------------------


def sandbox_range(workspace_pk: int = 1):
    from categories.sandbox.models import SandboxEntry

    return SandboxEntry.objects.filter(workspace__pk=workspace_pk, entered_on__range=(START, END))


@pytest.mark.django_db
def test_the_overview_shows_time_with_no_category_and_every_entry_once(admin_http) -> None:
    html = admin_http.get(f"/overview/?{SEPTEMBER}", **htmx("overview-results")).content.decode()
    entries = sandbox_range()
    none = entries.filter(categories=None)
    minutes = sum(none.values_list("duration_minutes", flat=True))
    assert none.count() > 0
    assert f'data-minutes="{minutes}"' in html
    assert 'id="no-category-link"' in html
    logged = sum(entries.values_list("duration_minutes", flat=True))
    assert '<tr id="overview-logged">' in html
    assert f'data-minutes="{logged}"' in html


@pytest.mark.django_db
def test_the_overview_costs_a_sweep_not_a_request_per_category(admin_http, asana_calls) -> None:
    use_workspace(admin_http, "Acme Consulting Group")
    admin_http.get("/overview/?range=this-quarter", **htmx("overview-results"))
    per_category = asana_calls.to("/time_tracking_categories/")
    assert [call for call in per_category if call.path.endswith("/time_tracking_entries")] == []
    listing = asana_calls.to("/time_tracking_entries")
    assert 1 <= len(listing) <= 20  # windows and pages of the entries, whatever the categories


@pytest.mark.django_db
def test_a_token_that_may_not_list_the_workspace_falls_back_and_says_why(admin_http) -> None:
    inject_fault(kind="status", status=403, path_pattern="^/time_tracking_entries")
    html = admin_http.get(f"/overview/?{SEPTEMBER}", **htmx("overview-results")).content.decode()
    assert "Time with no category is not shown" in html
    assert 'id="overview-row-none"' not in html
    engineering = category_gid("Engineering")
    assert f'id="overview-row-{engineering}"' in html


@pytest.mark.django_db
def test_the_team_page_totals_match_the_sandbox_and_cells_open_the_entries(admin_http) -> None:
    html = admin_http.get(f"/team/?{SEPTEMBER}").content.decode()
    total = sum(sandbox_range().values_list("duration_minutes", flat=True))
    assert f'<td class="numeric" data-minutes="{total}"><strong>' in html
    engineering = category_gid("Engineering")
    assert f'href="/categories/{engineering}/entries/?range=custom&amp;start=2026-09-01' in html
    assert 'href="/no-category/?range=custom' in html


@pytest.mark.django_db
def test_the_team_csv_is_the_matrix_with_its_totals(admin_http) -> None:
    response = admin_http.get(f"/team/export.csv?{SEPTEMBER}")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header[:2] == ["person", "person_gid"]
    assert header[-1] == "total"
    total_row = rows[-1]
    assert total_row[0] == "Total"
    minutes = sum(sandbox_range().values_list("duration_minutes", flat=True))
    assert round(float(total_row[-1]) * 60) == minutes
    per_person = sum(round(float(row[-1]) * 60) for row in rows[:-1])
    assert abs(per_person - minutes) <= len(rows)  # each row rounded to the hundredth once


@pytest.mark.django_db
def test_people_filter_the_team_and_the_no_category_page(admin_http) -> None:
    from categories.sandbox.models import SandboxUser

    person = SandboxUser.objects.order_by("pk").first()
    mine = sandbox_range().filter(categories=None, created_by=person)
    html = admin_http.get(f"/no-category/?{SEPTEMBER}&person={person.gid}").content.decode()
    assert f'<dd id="uncategorised-entries">{mine.count()}</dd>' in html
    assert f'<option value="{person.gid}" selected>' in html
    refused = admin_http.get(f"/no-category/?{SEPTEMBER}&person=<script>")
    assert refused.status_code == 422
    assert "Choose a person from the list." in refused.content.decode()


@pytest.mark.django_db
def test_names_in_the_team_table_are_escaped(admin_http) -> None:
    from categories.sandbox.models import SandboxUser

    SandboxUser.objects.filter(pk=SandboxUser.objects.order_by("pk").first().pk).update(
        name='<img src=x onerror="alert(1)">'
    )
    html = admin_http.get(f"/team/?{SEPTEMBER}&refresh=1").content.decode()
    assert "<img src=x" not in html
