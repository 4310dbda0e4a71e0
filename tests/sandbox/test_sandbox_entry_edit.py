"""GET and PUT /time_tracking_entries/{gid}: the full entry, and moving it between
categories the way Asana allows (one category at most, same workspace, not on an approved
timesheet)."""

from __future__ import annotations

import pytest

from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxEntry
from tests.support.sandbox import ACME_FIRST, DESIGN, ENGINEERING, Api, error_message


def entry_path(gid: str) -> str:
    return f"/time_tracking_entries/{gid}"


def draft_entry_of(category_gid: str) -> SandboxEntry:
    pk = category_pk(category_gid)
    return SandboxEntry.objects.filter(categories__id=pk, approval_status="DRAFT").earliest("id")


def category_pk(gid: str) -> int:
    return int(gid[4:])


def categories_of(gid: str) -> list[str]:
    entry = SandboxEntry.objects.get(pk=SandboxEntry.pk_from_gid(gid))
    return [category.gid for category in entry.categories.order_by("id")]


def test_one_entry_is_the_full_record(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    data = api.get(entry_path(entry.gid)).json()["data"]

    assert data["gid"] == entry.gid
    assert data["resource_type"] == "time_tracking_entry"
    assert data["categories"] == [{"gid": ENGINEERING, "name": "Engineering", "color": "blue"}]
    assert data["approval_status"] == "DRAFT"
    assert data["billable_status"] in {"billable", "nonBillable", "notApplicable"}
    assert isinstance(data["description"], str)
    assert data["created_at"].endswith("Z")
    assert data["entered_on"] == entry.entered_on.isoformat()
    assert data["duration_minutes"] == entry.duration_minutes


def test_an_unknown_entry_is_a_404(api: Api) -> None:
    response = api.get(entry_path("1210000000999999"))

    assert response.status_code == 404
    assert "Unknown object" in error_message(response)
    assert api.put(entry_path("1210000000999999"), {"categories": []}).status_code == 404


def test_put_categories_replaces_the_entrys_category(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    response = api.put(entry_path(entry.gid), {"categories": [DESIGN]})

    assert response.status_code == 200
    assert [c["gid"] for c in response.json()["data"]["categories"]] == [DESIGN]
    assert categories_of(entry.gid) == [DESIGN]


def test_an_empty_list_leaves_the_entry_uncategorised(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    response = api.put(entry_path(entry.gid), {"categories": []})

    assert response.json()["data"]["categories"] == []
    assert categories_of(entry.gid) == []


def test_fields_not_sent_stay_unchanged(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)
    api.put(entry_path(entry.gid), {"description": "Rewritten"})

    response = api.put(entry_path(entry.gid), {"categories": [DESIGN]})

    data = response.json()["data"]
    assert data["description"] == "Rewritten"
    assert data["duration_minutes"] == entry.duration_minutes
    assert data["entered_on"] == entry.entered_on.isoformat()


def test_two_categories_are_a_400_naming_the_field(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    response = api.put(entry_path(entry.gid), {"categories": [DESIGN, ENGINEERING]})

    assert response.status_code == 400
    assert error_message(response).startswith("categories: ")
    assert categories_of(entry.gid) == [ENGINEERING]


def test_a_category_of_another_workspace_is_a_400(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    response = api.put(entry_path(entry.gid), {"categories": [ACME_FIRST]})

    assert response.status_code == 400
    assert "workspace" in error_message(response)
    assert categories_of(entry.gid) == [ENGINEERING]


def test_a_read_only_field_is_a_400(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    response = api.put(entry_path(entry.gid), {"approval_status": "APPROVED"})

    assert response.status_code == 400
    assert error_message(response).startswith("approval_status: ")


@pytest.mark.parametrize("status", ["APPROVED", "SUBMITTED"])
def test_an_entry_on_a_submitted_or_approved_timesheet_keeps_its_category(
    api: Api, status: str
) -> None:
    entry = SandboxEntry.objects.filter(approval_status=status).order_by("id").first()
    assert entry is not None, "the demo data has entries on such timesheets"
    before = categories_of(entry.gid)

    response = api.put(entry_path(entry.gid), {"categories": []})

    assert response.status_code == 403
    assert "approved timesheet" in error_message(response)
    assert categories_of(entry.gid) == before
    # Sending what it already has is no change, so it is accepted.
    assert api.put(entry_path(entry.gid), {"categories": before}).status_code == 200


def test_a_resent_move_gives_the_same_answer(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)

    first = api.put(entry_path(entry.gid), {"categories": [DESIGN]})
    second = api.put(entry_path(entry.gid), {"categories": [DESIGN]})

    assert first.json() == second.json()


def test_faults_apply_to_entry_writes(api: Api) -> None:
    entry = draft_entry_of(ENGINEERING)
    inject_fault(kind="status", status=503, method="PUT", times=1)

    assert api.put(entry_path(entry.gid), {"categories": [DESIGN]}).status_code == 503
    assert categories_of(entry.gid) == [ENGINEERING]
    assert api.put(entry_path(entry.gid), {"categories": [DESIGN]}).status_code == 200
