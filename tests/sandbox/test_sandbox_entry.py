"""One time entry: its full record (GET) and its changes (PUT), with Asana's rules: at most
one category, of the entry's workspace; only the fields sent change; a submitted or
approved timesheet's entries are locked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory, SandboxEntry
from tests.support.sandbox import (
    ACME,
    ACME_FIRST,
    DESIGN,
    ENGINEERING,
    NORTHWIND,
    UNKNOWN_CATEGORY,
    UNKNOWN_ENTRY,
    Api,
    entry_with_approval,
    error_message,
)

FULL_FIELDS = {
    "gid",
    "resource_type",
    "duration_minutes",
    "entered_on",
    "attributable_to",
    "created_by",
    "categories",
    "task",
    "created_at",
    "approval_status",
    "billable_status",
    "description",
}


def entry_path(gid: str) -> str:
    return f"/time_tracking_entries/{gid}"


def engineering_entry() -> SandboxEntry:
    """A recent Engineering entry on an open (draft) timesheet."""
    return SandboxEntry.find(entry_with_approval("DRAFT", category_gid=ENGINEERING))


def category_gids(entry: SandboxEntry) -> list[str]:
    return [category.gid for category in entry.categories.order_by("id")]


def put(api: Api, gid: str, **data: Any) -> Any:
    return api.put(entry_path(gid), data)


# --- reading one entry -------------------------------------------------------------------


def test_an_entry_reads_as_its_full_record(api: Api) -> None:
    entry = engineering_entry()

    response = api.get(entry_path(entry.gid))

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == FULL_FIELDS
    assert data["resource_type"] == "time_tracking_entry"
    assert data["categories"] == [{"gid": ENGINEERING, "name": "Engineering", "color": "blue"}]
    assert data["approval_status"] == "DRAFT"
    assert data["billable_status"] in {"billable", "nonBillable", "notApplicable"}
    assert isinstance(data["description"], str)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["created_at"])
    assert data["created_at"].startswith(data["entered_on"])
    task = data["task"]
    assert set(task) == {"gid", "resource_type", "name", "resource_subtype", "created_by"}
    assert task["resource_type"] == "task"
    assert task["name"].startswith(data["attributable_to"]["name"] + ": ")
    assert set(task["created_by"]) == {"gid", "resource_type"}


def test_the_full_record_extends_the_compact_one_of_the_listings(api: Api) -> None:
    entry = engineering_entry()
    day = entry.entered_on.isoformat()
    listed = api.get(
        "/time_tracking_entries",
        workspace=NORTHWIND,
        entered_on_start_date=day,
        entered_on_end_date=day,
        limit=100,
    ).json()["data"]

    compact = next(record for record in listed if record["gid"] == entry.gid)
    full = api.get(entry_path(entry.gid)).json()["data"]
    assert {name: full[name] for name in compact} == compact


def test_opt_fields_choose_the_full_records_fields(api: Api) -> None:
    entry = engineering_entry()

    response = api.get(entry_path(entry.gid), opt_fields="approval_status,task.name")

    assert response.json()["data"] == {
        "gid": entry.gid,
        "resource_type": "time_tracking_entry",
        "approval_status": "DRAFT",
        "task": {"gid": entry.task.gid, "name": entry.task.name},
    }
    refused = api.get(entry_path(entry.gid), opt_fields="workspace")
    assert refused.status_code == 400
    assert error_message(refused).startswith("opt_fields:")


def test_an_unknown_entry_is_a_404_and_a_malformed_gid_a_400(api: Api) -> None:
    unknown = api.get(entry_path(UNKNOWN_ENTRY))
    malformed = api.get(entry_path("12ab"))

    assert unknown.status_code == 404
    assert error_message(unknown) == f"time_tracking_entry: Unknown object: {UNKNOWN_ENTRY}"
    assert malformed.status_code == 400
    assert error_message(malformed).startswith("time_tracking_entry_gid:")


# --- moving an entry to another category -------------------------------------------------


def test_categories_replace_the_entrys_category(api: Api) -> None:
    entry = engineering_entry()

    response = put(api, entry.gid, categories=[DESIGN])

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == FULL_FIELDS
    assert data["categories"] == [{"gid": DESIGN, "name": "Design", "color": "purple"}]
    assert category_gids(entry) == [DESIGN]
    day = entry.entered_on.isoformat()
    listed = api.get(
        f"/time_tracking_categories/{ENGINEERING}/time_tracking_entries",
        start_date=day,
        end_date=day,
        limit=100,
    ).json()["data"]
    assert entry.gid not in {record["gid"] for record in listed}


def test_an_empty_list_leaves_the_entry_uncategorised(api: Api) -> None:
    entry = engineering_entry()

    response = put(api, entry.gid, categories=[])

    assert response.status_code == 200
    assert response.json()["data"]["categories"] == []
    day = entry.entered_on.isoformat()
    listed = api.get(
        "/time_tracking_entries",
        workspace=NORTHWIND,
        entered_on_start_date=day,
        entered_on_end_date=day,
        limit=100,
    ).json()["data"]
    assert next(r for r in listed if r["gid"] == entry.gid)["categories"] == []


def test_an_uncategorised_entry_can_be_filed(api: Api) -> None:
    entry = SandboxEntry.objects.filter(workspace__pk=1, categories=None).first()

    response = put(api, entry.gid, categories=[DESIGN])

    assert response.status_code == 200
    assert category_gids(entry) == [DESIGN]


def test_two_categories_are_refused_naming_the_field_and_nothing_changes(api: Api) -> None:
    entry = engineering_entry()

    response = put(api, entry.gid, categories=[DESIGN, ENGINEERING], description="changed")

    assert response.status_code == 400
    assert error_message(response).startswith("categories: ")
    assert "at most 1 category" in error_message(response)
    entry.refresh_from_db()
    assert category_gids(entry) == [ENGINEERING]
    assert entry.description != "changed"


@pytest.mark.parametrize(
    ("categories", "problem"),
    [
        ([ACME_FIRST], "not in the entry's workspace"),
        ([UNKNOWN_CATEGORY], "Not a recognized ID"),
        (["Design"], "Not a valid gid"),
        (DESIGN, "Must be an array"),
    ],
)
def test_a_category_must_exist_in_the_entrys_workspace(
    api: Api, categories: Any, problem: str
) -> None:
    entry = engineering_entry()

    response = put(api, entry.gid, categories=categories)

    assert response.status_code == 400
    assert error_message(response).startswith("categories: ")
    assert problem in error_message(response)
    assert category_gids(entry) == [ENGINEERING]


def test_putting_an_unknown_entry_is_a_404(api: Api) -> None:
    response = put(api, UNKNOWN_ENTRY, categories=[DESIGN])

    assert response.status_code == 404
    assert error_message(response) == f"time_tracking_entry: Unknown object: {UNKNOWN_ENTRY}"


# --- the other fields --------------------------------------------------------------------


def test_fields_not_sent_stay_as_they_are(api: Api) -> None:
    entry = engineering_entry()
    before = api.get(entry_path(entry.gid)).json()["data"]

    response = put(api, entry.gid, description="Pairing <with> “Priya” & co")

    after = response.json()["data"]
    assert after["description"] == "Pairing <with> “Priya” & co"
    assert {k: v for k, v in after.items() if k != "description"} == {
        k: v for k, v in before.items() if k != "description"
    }


def test_every_writable_field_can_be_changed_at_once(api: Api) -> None:
    entry = engineering_entry()
    project = entry.attributable_to.workspace.projects.exclude(pk=entry.attributable_to_id)[0]

    response = put(
        api,
        entry.gid,
        categories=[DESIGN],
        duration_minutes=95,
        entered_on="2025-06-02",
        attributable_to=project.gid,
        billable_status="notApplicable",
        description="Re-filed",
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["categories"][0]["gid"] == DESIGN
    assert data["duration_minutes"] == 95
    assert data["entered_on"] == "2025-06-02"
    assert data["attributable_to"] == {"gid": project.gid, "name": project.name}
    assert data["billable_status"] == "notApplicable"
    assert data["description"] == "Re-filed"
    entry.refresh_from_db()
    assert (entry.duration_minutes, entry.entered_on) == (95, dt.date(2025, 6, 2))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": "60"}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"entered_on": "2025-02-30"}, "entered_on"),
        ({"entered_on": ""}, "entered_on"),
        ({"attributable_to": "1203000000000012"}, "attributable_to"),  # Acme's project
        ({"attributable_to": "1203000000999999"}, "attributable_to"),
        ({"billable_status": "BILLABLE"}, "billable_status"),
        ({"description": 42}, "description"),
        ({"approval_status": "DRAFT"}, "approval_status"),
        ({"created_by": "1202000000000002"}, "created_by"),
        ({"workspace": NORTHWIND}, "workspace"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api: Api, data: dict[str, Any], field: str) -> None:
    entry = engineering_entry()
    before = api.get(entry_path(entry.gid)).json()["data"]

    response = put(api, entry.gid, **data)

    assert response.status_code == 400
    assert error_message(response).startswith(f"{field}: ")
    assert api.get(entry_path(entry.gid)).json()["data"] == before


def test_a_body_without_data_is_a_400(api: Api) -> None:
    entry = engineering_entry()

    response = api.request("PUT", entry_path(entry.gid), json={"categories": [DESIGN]})

    assert response.status_code == 400
    assert error_message(response).startswith("data: ")


# --- locked timesheets -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["SUBMITTED", "APPROVED"])
def test_an_entry_on_a_submitted_or_approved_timesheet_refuses_a_move(
    api: Api, status: str
) -> None:
    gid = entry_with_approval(status)
    before = api.get(entry_path(gid)).json()["data"]
    target = [] if before["categories"] else [DESIGN]

    response = put(api, gid, categories=target)

    assert response.status_code == 403
    message = error_message(response)
    assert message.startswith("categories: ")
    assert f"timesheet is {status.lower()}" in message
    assert "locked" in message
    assert api.get(entry_path(gid)).json()["data"] == before


def test_a_locked_entry_refuses_other_changes_too(api: Api) -> None:
    gid = entry_with_approval("APPROVED")

    response = put(api, gid, duration_minutes=1)

    assert response.status_code == 403
    assert error_message(response).startswith("duration_minutes: ")


def test_a_write_that_changes_nothing_is_answered_even_on_a_locked_entry(api: Api) -> None:
    """A retried move that already took effect must not turn into a failure."""
    gid = entry_with_approval("APPROVED")
    current = api.get(entry_path(gid)).json()["data"]

    response = put(
        api,
        gid,
        categories=[c["gid"] for c in current["categories"]],
        duration_minutes=current["duration_minutes"],
    )

    assert response.status_code == 200
    assert response.json()["data"] == current


@pytest.mark.parametrize("status", ["DRAFT", "REJECTED"])
def test_draft_and_rejected_timesheets_are_open_to_changes(api: Api, status: str) -> None:
    gid = entry_with_approval(status)
    other = SandboxCategory.objects.filter(workspace=SandboxEntry.find(gid).workspace)
    target = other.exclude(entries__id=SandboxEntry.pk_from_gid(gid)).earliest("id").gid

    response = put(api, gid, categories=[target])

    assert response.status_code == 200
    assert response.json()["data"]["approval_status"] == status


def test_the_listing_filters_by_timesheet_approval_status(api: Api) -> None:
    response = api.get(
        "/time_tracking_entries",
        workspace=ACME,
        entered_on_start_date="2025-05-01",
        timesheet_approval_status="approved",
        limit=100,
    )

    gids = [record["gid"] for record in response.json()["data"]]
    assert gids
    statuses = SandboxEntry.objects.filter(pk__in=[SandboxEntry.pk_from_gid(g) for g in gids])
    assert set(statuses.values_list("approval_status", flat=True)) == {"APPROVED"}


# --- faults apply as to every operation --------------------------------------------------


def test_injected_faults_reach_entry_reads_and_writes(api: Api) -> None:
    entry = engineering_entry()
    inject_fault(
        kind="status", status=429, retry_after=3, method="PUT", path_pattern="time_tracking_entries"
    )
    inject_fault(kind="status", status=503, method="GET", path_pattern=r"entries/\d+$", times=1)

    refused = put(api, entry.gid, categories=[DESIGN])
    unavailable = api.get(entry_path(entry.gid))

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3"
    assert unavailable.status_code == 503
    assert category_gids(entry) == [ENGINEERING]  # the refused write did nothing
    assert api.get(entry_path(entry.gid)).status_code == 200
