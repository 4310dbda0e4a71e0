"""Every request the client sends follows Asana's spec (and so do the canned answers the
client tests feed it, so that those tests stay honest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from categories.asana import AsanaClient, AsanaError
from tests.contract.openapi import validate_exchange, validate_response
from tests.support.fake_asana import (
    CATEGORY,
    CATEGORY_PATH,
    ENTRIES_PATH,
    OPERATIONS,
    WORKSPACE,
    FakeAsana,
    Json,
    Operation,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    entry_json,
    error_json,
    run,
)

Iterate = Callable[[AsanaClient], Iterator[Any]]


def validate_every_call(asana: FakeAsana) -> int:
    """Validate each request the client sent and the answer it got; return how many."""
    for call in asana.mock.calls:
        validate_exchange(call.request, call.response)
    return len(asana.mock.calls)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_client_method_sends_a_request_that_follows_the_spec(
    asana: FakeAsana, operation: Operation
) -> None:
    run(asana, operation)

    assert validate_every_call(asana) == 1


@pytest.mark.parametrize(
    ("path", "make", "iterate"),
    [
        (
            "/time_tracking_categories",
            category_json,
            lambda client: client.iter_categories(workspace_gid=WORKSPACE, archived=True),
        ),
        (ENTRIES_PATH, entry_json, lambda client: client.iter_category_entries(CATEGORY)),
    ],
    ids=["categories", "category_entries"],
)
def test_follow_up_page_requests_with_an_offset_follow_the_spec(
    asana: FakeAsana, path: str, make: Callable[[str], Json], iterate: Iterate
) -> None:
    asana.serve_pages(path, [make(str(n)) for n in range(1, 151)])

    list(iterate(asana.client))

    assert validate_every_call(asana) == 2
    assert asana.offsets()[1]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_canned_error_answers_follow_the_spec(asana: FakeAsana, status: int) -> None:
    asana.reply("GET", CATEGORY_PATH, error_json("Nope", phrase="6 sad squid"), status=status)

    with pytest.raises(AsanaError):
        asana.client.get_category(CATEGORY)

    call = asana.mock.calls[0]
    validate_response(call.request, call.response)
