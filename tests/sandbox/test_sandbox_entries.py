"""Time entries: of one category, or of a whole workspace, filtered by date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from categories.sandbox.api import deny_scope
from categories.sandbox.models import SandboxEntry
from tests.support.sandbox import (
    ACME,
    ALEX,
    DESIGN,
    ENGINEERING,
    LEGACY_MIGRATION,
    NORTHWIND,
    TODAY,
    UNKNOWN_CATEGORY,
    Api,
    error_message,
    sandbox_session,
)

ENTRIES = "/time_tracking_entries"
CLIENT_FIELDS = (
    "duration_minutes,entered_on,attributable_to.name,created_by.name,"
    "categories.name,categories.color"
)


def category_entries(gid: str) -> str:
    return f"/time_tracking_categories/{gid}/time_tracking_entries"


def collect(api: Api, path: str, *, limit: int = 100, **params: Any) -> list[dict[str, Any]]:
    """Every entry of every page."""
    found: list[dict[str, Any]] = []
    while True:
        response = api.get(path, limit=limit, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["data"]
        if body["next_page"] is None:
            return found
        params["offset"] = body["next_page"]["offset"]


def test_compact_entry_has_its_project_user_and_categories(api: Api) -> None:
    entry = api.get(category_entries(DESIGN), limit=1).json()["data"][0]

    assert set(entry) == {
        "gid",
        "resource_type",
        "duration_minutes",
        "entered_on",
        "attributable_to",
        "created_by",
        "categories",
    }
    assert entry["resource_type"] == "time_tracking_entry"
    assert set(entry["attributable_to"]) == {"gid", "name"}
    assert set(entry["created_by"]) == {"gid", "name"}
    assert all(set(c) == {"gid", "name", "color"} for c in entry["categories"])
    assert DESIGN in [c["gid"] for c in entry["categories"]]


def test_the_clients_opt_fields_give_the_same_shape_as_the_compact_entry(api: Api) -> None:
    compact = api.get(category_entries(DESIGN), limit=5).json()["data"]
    asked = api.get(category_entries(DESIGN), limit=5, opt_fields=CLIENT_FIELDS).json()["data"]

    assert asked == compact


def test_bare_relations_in_opt_fields_give_compact_records(api: Api) -> None:
    response = api.get(
        category_entries(DESIGN), limit=1, opt_fields="created_by,attributable_to,categories"
    )

    entry = response.json()["data"][0]
    assert set(entry) == {"gid", "resource_type", "created_by", "attributable_to", "categories"}
    assert set(entry["created_by"]) == {"gid", "resource_type", "name"}
    assert entry["created_by"]["resource_type"] == "user"
    assert entry["attributable_to"]["resource_type"] == "project"
    assert set(entry["categories"][0]) == {"gid", "resource_type", "name", "color"}


def test_entries_are_ordered_by_date_then_gid(api: Api) -> None:
    entries = collect(api, category_entries(ENGINEERING), start_date="2025-01-01")

    keys = [(e["entered_on"], e["gid"]) for e in entries]
    assert keys == sorted(keys)
    assert len({e["gid"] for e in entries}) == len(entries)


def test_date_filters_are_inclusive_on_entered_on(api: Api) -> None:
    dates = sorted({e.entered_on for e in SandboxEntry.objects.filter(categories__pk=1)})
    start, end = dates[10], dates[20]

    entries = collect(
        api, category_entries(ENGINEERING), start_date=start.isoformat(), end_date=end.isoformat()
    )

    expected = SandboxEntry.objects.filter(
        categories__pk=1, entered_on__gte=start, entered_on__lte=end
    )
    assert {e["gid"] for e in entries} == {entry.gid for entry in expected}
    assert entries[0]["entered_on"] == start.isoformat()
    assert entries[-1]["entered_on"] == end.isoformat()


def test_pages_ending_inside_a_day_go_on_with_that_days_next_entry(api: Api) -> None:
    month = {"start_date": "2025-03-01", "end_date": "2025-03-31"}

    # Pages of 3: most end between two entries of the same day.
    entries = collect(api, category_entries(ENGINEERING), limit=3, **month)

    expected = SandboxEntry.objects.filter(
        categories__pk=1, entered_on__range=(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    ).order_by("entered_on", "id")
    assert [e["gid"] for e in entries] == [entry.gid for entry in expected]
    days = [e["entered_on"] for e in entries]
    assert len(days) > len(set(days))  # several entries share a day


def test_every_entry_shows_exactly_its_records_person_project_and_categories(api: Api) -> None:
    shown = collect(api, category_entries(ENGINEERING), start_date="2025-03-01")

    records = {
        entry.gid: entry
        for entry in SandboxEntry.objects.filter(
            categories__pk=1, entered_on__gte=dt.date(2025, 3, 1)
        ).select_related("created_by", "attributable_to")
    }
    assert len(shown) == len(records)
    for entry in shown:
        record = records[entry["gid"]]
        project = record.attributable_to
        assert entry["entered_on"] == record.entered_on.isoformat()
        assert entry["duration_minutes"] == record.duration_minutes
        assert entry["created_by"] == {"gid": record.created_by.gid, "name": record.created_by.name}
        assert entry["attributable_to"] == (
            None if project is None else {"gid": project.gid, "name": project.name}
        )
        assert entry["categories"] == [
            {"gid": c.gid, "name": c.name, "color": c.color}
            for c in record.categories.order_by("id")
        ]


def test_all_of_a_busy_categorys_entries_come_back_over_the_pages(api: Api) -> None:
    entries = collect(api, category_entries(ENGINEERING))

    assert len(entries) == SandboxEntry.objects.filter(categories__pk=1).count()
    assert 2300 <= len(entries) <= 3000


def test_an_archived_categorys_history_is_still_listed(api: Api) -> None:
    entries = collect(api, category_entries(LEGACY_MIGRATION))

    assert entries
    # Archived a year ago: its entries are all older than that.
    assert max(e["entered_on"] for e in entries) < (TODAY - dt.timedelta(days=364)).isoformat()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2025-02-30"}, "start_date"),
        ({"start_date": "20250101"}, "start_date"),
        ({"end_date": "yesterday"}, "end_date"),
    ],
)
def test_an_invalid_date_is_a_400_naming_the_parameter(
    api: Api, params: dict[str, str], field: str
) -> None:
    response = api.get(category_entries(ENGINEERING), limit=10, **params)

    assert response.status_code == 400
    assert error_message(response).startswith(f"{field}:")
    assert "invalid date" in error_message(response)


def test_entries_of_an_unknown_category_are_a_404(api: Api) -> None:
    assert api.get(category_entries(UNKNOWN_CATEGORY), limit=10).status_code == 404


def test_workspace_entries_require_at_least_one_date(api: Api) -> None:
    response = api.get(ENTRIES, workspace=NORTHWIND, limit=10)

    assert response.status_code == 400
    assert error_message(response).startswith("entered_on_start_date:")
    only_end = api.get(ENTRIES, workspace=NORTHWIND, limit=10, entered_on_end_date="2023-08-01")
    assert only_end.status_code == 200


def test_workspace_entries_include_every_category_and_uncategorised_time(api: Api) -> None:
    start, end = dt.date(2025, 3, 1), dt.date(2025, 3, 31)

    entries = collect(
        api,
        ENTRIES,
        workspace=NORTHWIND,
        entered_on_start_date=start.isoformat(),
        entered_on_end_date=end.isoformat(),
        opt_fields=CLIENT_FIELDS,
    )

    expected = SandboxEntry.objects.filter(workspace__pk=1, entered_on__range=(start, end))
    assert len(entries) == expected.count() > 100
    assert all(start.isoformat() <= e["entered_on"] <= end.isoformat() for e in entries)
    category_counts = {len(e["categories"]) for e in entries}
    assert category_counts == {0, 1}  # uncategorised time too; never two categories


def test_workspace_entries_can_be_narrowed_to_one_person(api: Api) -> None:
    entries = collect(
        api, ENTRIES, workspace=NORTHWIND, entered_on_start_date="2025-06-01", user=ALEX
    )

    assert entries
    assert {e["created_by"]["gid"] for e in entries} == {ALEX}


def test_every_workspace_entry_has_a_categories_list_of_at_most_one(api: Api) -> None:
    entries = collect(
        api, ENTRIES, workspace=ACME, entered_on_start_date="2025-04-01", entered_on_end_date=None
    )

    assert (
        len(entries)
        == SandboxEntry.objects.filter(workspace__pk=2, entered_on__gte=dt.date(2025, 4, 1)).count()
    )
    assert all(isinstance(e["categories"], list) and len(e["categories"]) <= 1 for e in entries)
    assert any(e["categories"] == [] for e in entries)


def test_disjoint_date_windows_together_give_the_whole_range_once(api: Api) -> None:
    """A sweep in weekly windows, pages of 100 (cut inside days), loses and doubles nothing."""
    start, end = dt.date(2025, 1, 6), dt.date(2025, 3, 30)
    swept: list[str] = []
    window = start
    while window <= end:
        last = min(window + dt.timedelta(days=6), end)
        swept += [
            e["gid"]
            for e in collect(
                api,
                ENTRIES,
                workspace=NORTHWIND,
                entered_on_start_date=window.isoformat(),
                entered_on_end_date=last.isoformat(),
                limit=37,
            )
        ]
        window = last + dt.timedelta(days=1)

    whole = collect(
        api,
        ENTRIES,
        workspace=NORTHWIND,
        entered_on_start_date=start.isoformat(),
        entered_on_end_date=end.isoformat(),
    )
    assert swept == [e["gid"] for e in whole]
    assert len(swept) == len(set(swept)) > 500


def test_a_token_without_the_entries_scope_is_refused_the_listing_only(api: Api) -> None:
    limited = Api(sandbox_session("dashboard+without:time_tracking_entries:read"))
    month = {"entered_on_start_date": "2025-06-01", "entered_on_end_date": "2025-06-30"}

    refused = limited.get(ENTRIES, workspace=NORTHWIND, limit=100, **month)
    per_category = limited.get(category_entries(ENGINEERING), limit=100, start_date="2025-06-01")

    assert refused.status_code == 403
    assert "time_tracking_entries:read" in error_message(refused)
    assert per_category.status_code == 200
    assert api.get(ENTRIES, workspace=NORTHWIND, limit=100, **month).status_code == 200


def test_deny_scope_refuses_the_listing_to_every_token(api: Api) -> None:
    deny_scope("time_tracking_entries:read")
    month = {"entered_on_start_date": "2025-06-01", "entered_on_end_date": "2025-06-30"}

    refused = api.get(ENTRIES, workspace=NORTHWIND, limit=100, **month)

    assert refused.status_code == 403
    assert "time_tracking_entries:read" in error_message(refused)
    assert api.get(category_entries(ENGINEERING), limit=100).status_code == 200
    assert api.get("/workspaces").status_code == 200
