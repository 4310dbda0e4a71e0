"""Envelopes and typed records: what each client method sends and what it returns."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from categories.asana import Category, Page, Reference, TimeEntry, User, Workspace
from tests.support.fake_asana import (
    CATEGORY,
    CATEGORY_PATH,
    END,
    OPERATIONS,
    START,
    WORKSPACE,
    FakeAsana,
    Operation,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    entry_json,
    page_json,
    path_of,
    records_of,
    run,
    user_json,
)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_method_sends_its_request_and_returns_typed_records(
    asana: FakeAsana, operation: Operation
) -> None:
    result = run(asana, operation)

    records = records_of(result)

    (request,) = asana.sent
    assert (request.method, path_of(request)) == (operation.method, operation.path)
    assert isinstance(result, operation.returns)
    assert [type(record) for record in records] == [operation.record] * expected_count(operation)


def expected_count(operation: Operation) -> int:
    """How many records the canned answer holds: a list's length, else one (none on delete)."""
    data = operation.answer["data"]
    if operation.record is None:
        return 0
    return len(data) if isinstance(data, list) else 1


def test_get_category_parses_the_full_record_from_the_data_envelope(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, {"data": category_json(is_archived=True)})

    category = asana.client.get_category(CATEGORY)

    assert category == Category(CATEGORY, "Design & <research>", "blue", is_archived=True)


def test_categories_page_returns_a_page_of_categories(asana: FakeAsana) -> None:
    answer = page_json([category_json(), category_json("22", "Ops", "hot-pink")])
    asana.reply("GET", "/time_tracking_categories", answer)

    page = asana.client.categories_page(workspace_gid=WORKSPACE)

    assert page == Page(
        items=[
            Category(CATEGORY, "Design & <research>", "blue", is_archived=False),
            Category("22", "Ops", "hot-pink", is_archived=False),
        ],
        next_offset=None,
    )


def test_compact_category_without_is_archived_leaves_it_unknown(asana: FakeAsana) -> None:
    asana.reply("GET", "/time_tracking_categories", page_json([category_json(is_archived=None)]))

    (category,) = asana.client.categories_page(workspace_gid=WORKSPACE).items

    assert category.is_archived is None


def test_category_list_asks_for_is_archived_through_opt_fields(asana: FakeAsana) -> None:
    asana.reply("GET", "/time_tracking_categories", page_json([]))

    asana.client.categories_page(workspace_gid=WORKSPACE)

    query = asana.query()
    assert query["workspace"] == WORKSPACE
    assert set(query["opt_fields"].split(",")) == {"name", "color", "is_archived"}


@pytest.mark.parametrize(("archived", "sent"), [(True, "true"), (False, "false")])
def test_category_list_sends_is_archived_as_true_or_false(
    asana: FakeAsana, archived: bool, sent: str
) -> None:
    asana.reply("GET", "/time_tracking_categories", page_json([]))

    asana.client.categories_page(workspace_gid=WORKSPACE, archived=archived)

    assert asana.query()["is_archived"] == sent


@pytest.mark.parametrize(
    ("color", "sent"),
    [
        ("aqua", {"workspace": WORKSPACE, "name": "Design", "color": "aqua"}),
        (None, {"workspace": WORKSPACE, "name": "Design"}),
    ],
)
def test_create_sends_workspace_name_and_color_in_a_data_envelope_and_accepts_201(
    asana: FakeAsana, color: str | None, sent: dict[str, str]
) -> None:
    asana.reply("POST", "/time_tracking_categories", {"data": category_json()}, status=201)

    category = asana.client.create_category(workspace_gid=WORKSPACE, name="Design", color=color)

    assert asana.body() == {"data": sent}
    assert asana.sent[-1].headers["Content-Type"] == "application/json"
    assert category == Category(CATEGORY, "Design & <research>", "blue", is_archived=False)


@pytest.mark.parametrize(
    ("changes", "sent"),
    [
        ({"name": "Renamed"}, {"name": "Renamed"}),
        ({"color": "pink"}, {"color": "pink"}),
        ({"is_archived": False}, {"is_archived": False}),
        ({"is_archived": True}, {"is_archived": True}),
        (
            {"name": "Renamed", "color": "none", "is_archived": True},
            {"name": "Renamed", "color": "none", "is_archived": True},
        ),
    ],
)
def test_update_sends_only_the_given_fields(
    asana: FakeAsana, changes: dict[str, object], sent: dict[str, object]
) -> None:
    asana.reply("PUT", CATEGORY_PATH, {"data": category_json(name="Renamed")})

    category = asana.client.update_category(CATEGORY, **changes)

    assert asana.body() == {"data": sent}
    assert category.name == "Renamed"


def test_delete_sends_delete_and_returns_nothing(asana: FakeAsana) -> None:
    asana.reply("DELETE", CATEGORY_PATH, {"data": {}})

    assert asana.client.delete_category(CATEGORY) is None
    assert [request.method for request in asana.sent] == ["DELETE"]


def test_category_entries_are_parsed_with_dates_projects_users_and_categories(
    asana: FakeAsana,
) -> None:
    asana.reply("GET", f"{CATEGORY_PATH}/time_tracking_entries", page_json([entry_json()]))

    (entry,) = asana.client.category_entries_page(CATEGORY, start_date=START, end_date=END).items

    assert entry == TimeEntry(
        gid="3001",
        entered_on=dt.date(2025, 3, 4),
        duration_minutes=90,
        created_by=Reference("5001", "Zoë O'Neil"),
        attributable_to=Reference("4001", 'Relaunch "v2"'),
        categories=(Category(CATEGORY, "Design & <research>", "blue"),),
    )


def test_entries_of_one_page_share_their_equal_people_projects_and_categories(
    asana: FakeAsana,
) -> None:
    page = page_json([entry_json("3001"), entry_json("3002")])
    asana.reply("GET", f"{CATEGORY_PATH}/time_tracking_entries", page)

    first, second = asana.client.category_entries_page(CATEGORY, start_date=START).items

    # One object each, named by both entries: a cached answer pickles it once.
    assert first.created_by is second.created_by
    assert first.attributable_to is second.attributable_to
    assert first.categories[0] is second.categories[0]
    assert pickle.loads(pickle.dumps([first, second])) == [first, second]  # noqa: S301 - our own bytes


@pytest.mark.parametrize(
    ("dates", "sent"),
    [
        (
            {"start_date": START, "end_date": END},
            {"start_date": "2025-03-01", "end_date": "2025-03-31"},
        ),
        ({"start_date": START}, {"start_date": "2025-03-01"}),
        ({}, {}),
    ],
)
def test_category_entries_send_only_the_given_dates_as_iso(
    asana: FakeAsana, dates: dict[str, dt.date], sent: dict[str, str]
) -> None:
    asana.reply("GET", f"{CATEGORY_PATH}/time_tracking_entries", page_json([]))

    asana.client.category_entries_page(CATEGORY, **dates)

    query = asana.query()
    assert {key: query[key] for key in ("start_date", "end_date") if key in query} == sent


def test_workspace_entries_send_the_workspace_and_entered_on_dates(asana: FakeAsana) -> None:
    asana.reply("GET", "/time_tracking_entries", page_json([entry_json()]))

    page = asana.client.workspace_entries_page(
        workspace_gid=WORKSPACE, start_date=START, end_date=END
    )

    query = asana.query()
    assert (query["workspace"], query["entered_on_start_date"], query["entered_on_end_date"]) == (
        WORKSPACE,
        "2025-03-01",
        "2025-03-31",
    )
    assert "categories.name" in query["opt_fields"].split(",")
    assert [entry.categories[0].gid for entry in page.items] == [CATEGORY]


def test_me_returns_the_user_with_their_workspaces(asana: FakeAsana) -> None:
    asana.reply("GET", "/users/me", {"data": user_json()})

    user = asana.client.me()

    assert user == User(
        gid="5001",
        name="Zoë O'Neil",
        email="zoe@example.com",
        workspaces=(Workspace(WORKSPACE, "Acme"), Workspace("1200000000000002", "Side project")),
    )
    assert set(asana.query()["opt_fields"].split(",")) == {"name", "email", "workspaces.name"}


def test_workspaces_page_returns_workspaces(asana: FakeAsana) -> None:
    asana.reply("GET", "/workspaces", page_json([{"gid": WORKSPACE, "name": "Acme"}]))

    assert asana.client.workspaces_page() == Page([Workspace(WORKSPACE, "Acme")], None)
