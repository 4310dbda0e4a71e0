"""Pagination: limit=100 always, offsets passed back untouched, every item exactly once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from categories.asana import AsanaClient
from tests.support.fake_asana import (
    CATEGORY,
    END,
    OPERATIONS,
    START,
    WORKSPACE,
    FakeAsana,
    Json,
    Operation,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    entry_json,
    opaque_offset,
    page_json,
    run,
    workspace_json,
)

LISTS = [operation for operation in OPERATIONS if "next_page" in operation.answer]

Iterate = Callable[[AsanaClient], Iterator[Any]]
ITERATORS: list[tuple[str, str, Iterate, Callable[[int], Json]]] = [
    (
        "iter_categories",
        "/time_tracking_categories",
        lambda c: c.iter_categories(workspace_gid=WORKSPACE),
        lambda n: category_json(str(1000 + n), f"Category {n}"),
    ),
    (
        "iter_category_entries",
        f"/time_tracking_categories/{CATEGORY}/time_tracking_entries",
        lambda c: c.iter_category_entries(CATEGORY, start_date=START, end_date=END),
        lambda n: entry_json(str(3000 + n)),
    ),
    (
        "iter_workspace_entries",
        "/time_tracking_entries",
        lambda c: c.iter_workspace_entries(workspace_gid=WORKSPACE, start_date=START, end_date=END),
        lambda n: entry_json(str(3000 + n)),
    ),
    (
        "iter_workspaces",
        "/workspaces",
        lambda c: c.iter_workspaces(),
        lambda n: workspace_json(str(1000 + n), f"Workspace {n}"),
    ),
]


@pytest.mark.parametrize("operation", LISTS, ids=str)
def test_every_list_request_sends_limit_100_and_no_offset_on_the_first_page(
    asana: FakeAsana, operation: Operation
) -> None:
    run(asana, operation)

    query = asana.query()
    assert query["limit"] == "100"
    assert "offset" not in query


@pytest.mark.parametrize(
    ("name", "path", "iterate", "make"), ITERATORS, ids=[i[0] for i in ITERATORS]
)
def test_iterator_yields_every_item_across_pages_in_order_exactly_once(
    asana: FakeAsana, name: str, path: str, iterate: Iterate, make: Callable[[int], Json]
) -> None:
    items = [make(n) for n in range(250)]
    asana.serve_pages(path, items)

    gids = [record.gid for record in iterate(asana.client)]

    assert gids == [item["gid"] for item in items]
    assert asana.offsets() == [None, opaque_offset(100), opaque_offset(200)]
    assert all(asana.query(index)["limit"] == "100" for index in range(3))


def test_a_workspace_with_137_categories_is_listed_completely_in_two_pages(
    asana: FakeAsana,
) -> None:
    categories = [category_json(str(7000 + n), f"Category {n}") for n in range(137)]
    asana.serve_pages("/time_tracking_categories", categories)

    listed = list(asana.client.iter_categories(workspace_gid=WORKSPACE))

    assert [category.gid for category in listed] == [c["gid"] for c in categories]
    assert asana.offsets() == [None, opaque_offset(100)]


def test_page_call_follows_next_page_offset_exactly_as_given(asana: FakeAsana) -> None:
    offset = opaque_offset(100)
    answer = page_json([category_json()], path="/time_tracking_categories", offset=offset)
    asana.reply("GET", "/time_tracking_categories", answer)

    first = asana.client.categories_page(workspace_gid=WORKSPACE)
    asana.client.categories_page(workspace_gid=WORKSPACE, offset=first.next_offset)

    assert first.next_offset == offset
    assert first.has_more
    assert asana.query()["offset"] == offset


def test_page_call_returns_no_next_offset_on_the_last_page(asana: FakeAsana) -> None:
    asana.reply("GET", "/time_tracking_categories", page_json([category_json()]))

    page = asana.client.categories_page(workspace_gid=WORKSPACE, offset=opaque_offset(100))

    assert page.next_offset is None
    assert not page.has_more


def test_iterator_stops_after_an_empty_last_page(asana: FakeAsana) -> None:
    path = "/time_tracking_categories"
    asana.reply("GET", path, page_json([category_json("1")], path=path, offset=opaque_offset(1)))
    asana.reply("GET", path, page_json([], path=path, offset=None))

    listed = list(asana.client.iter_categories(workspace_gid=WORKSPACE))

    assert [category.gid for category in listed] == ["1"]
    assert asana.offsets() == [None, opaque_offset(1)]
