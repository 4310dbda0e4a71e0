"""Reading one entry and moving it: only what changes is sent, a PUT is retried on 5xx and
429 (it is idempotent), and Asana's refusal reaches the caller as a typed error at once."""

from __future__ import annotations

import datetime as dt

import pytest

from categories.asana import (
    AsanaBadRequest,
    AsanaForbidden,
    AsanaNotFound,
    AsanaUnavailable,
    TimeEntryDetail,
)
from tests.support.fake_asana import (
    FakeAsana,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    entry_json,
    error_json,
)

ENTRY = "3001"
ENTRY_PATH = f"/time_tracking_entries/{ENTRY}"
TARGET = "1201000000000009"


def full_entry_json(*, categories: list[str] | None = None) -> dict:
    record = entry_json(ENTRY)
    if categories is not None:
        record["categories"] = [category_json(gid, is_archived=None) for gid in categories]
    return {
        **record,
        "description": "Sprint <review>",
        "billable_status": "billable",
        "approval_status": "DRAFT",
        "task": {"gid": "6001", "resource_type": "task", "name": "Ship it"},
        "created_at": "2025-03-04T17:05:00.000Z",
    }


def test_one_entry_is_read_as_a_typed_full_record(asana: FakeAsana) -> None:
    asana.reply("GET", ENTRY_PATH, {"data": full_entry_json()})

    entry = asana.client.get_time_entry(ENTRY)

    assert isinstance(entry, TimeEntryDetail)
    assert entry.gid == ENTRY
    assert entry.entered_on == dt.date(2025, 3, 4)
    assert entry.description == "Sprint <review>"
    assert entry.approval_status == "DRAFT"
    assert entry.billable_status == "billable"
    assert entry.task is not None
    assert entry.task.name == "Ship it"
    assert entry.created_at == dt.datetime(2025, 3, 4, 17, 5, tzinfo=dt.UTC)
    assert "approval_status" in asana.query()["opt_fields"].split(",")


def test_a_move_sends_only_the_categories(asana: FakeAsana) -> None:
    asana.reply("PUT", ENTRY_PATH, {"data": full_entry_json(categories=[TARGET])})

    entry = asana.client.update_time_entry(ENTRY, categories=[TARGET])

    assert asana.body() == {"data": {"categories": [TARGET]}}
    assert entry.category_gids == (TARGET,)


def test_an_empty_list_is_sent_to_leave_the_entry_uncategorised(asana: FakeAsana) -> None:
    asana.reply("PUT", ENTRY_PATH, {"data": full_entry_json(categories=[])})

    entry = asana.client.update_time_entry(ENTRY, categories=[])

    assert asana.body() == {"data": {"categories": []}}
    assert entry.categories == ()


def test_a_gid_that_is_not_digits_never_reaches_asana(asana: FakeAsana) -> None:
    with pytest.raises(ValueError, match="digits"):
        asana.client.update_time_entry(ENTRY, categories=["../1"])

    assert asana.sent == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_move_is_resent_after_a_server_error_or_rate_limit(asana: FakeAsana, status: int) -> None:
    headers = {"Retry-After": "1"} if status == 429 else None
    asana.reply("PUT", ENTRY_PATH, error_json("busy"), status=status, headers=headers)
    asana.reply("PUT", ENTRY_PATH, {"data": full_entry_json(categories=[TARGET])})

    entry = asana.client.update_time_entry(ENTRY, categories=[TARGET])

    assert entry.category_gids == (TARGET,)
    assert len(asana.sent) == 2
    assert asana.body(0) == asana.body(1)
    assert len(asana.sleeps) == 1


def test_a_move_that_keeps_failing_ends_as_unavailable(asana: FakeAsana) -> None:
    asana.reply("PUT", ENTRY_PATH, error_json("down"), status=503)

    with pytest.raises(AsanaUnavailable):
        asana.client.update_time_entry(ENTRY, categories=[TARGET])

    assert len(asana.sent) == 4  # the first try and three resends


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        (400, "categories: An entry can have at most one time tracking category.", AsanaBadRequest),
        (403, "time_tracking_entry: This time entry is on an approved timesheet.", AsanaForbidden),
        (404, "time_tracking_entry: Unknown object: 3001", AsanaNotFound),
    ],
)
def test_a_refusal_is_a_typed_error_with_asanas_message_and_never_resent(
    asana: FakeAsana, status: int, message: str, error: type[Exception]
) -> None:
    asana.reply("PUT", ENTRY_PATH, error_json(message), status=status)

    with pytest.raises(error) as raised:
        asana.client.update_time_entry(ENTRY, categories=[TARGET])

    assert raised.value.message == message
    assert len(asana.sent) == 1
    assert asana.sleeps == []
