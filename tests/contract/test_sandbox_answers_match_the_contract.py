"""Every answer the sandbox gives the real client follows Asana's spec, errors included.

The client runs on a session with the sandbox adapter mounted; a response hook records each
(request, response) pair, and each is validated as if it had been sent to Asana itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaClient,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    Page,
)
from categories.sandbox.adapter import SANDBOX_BASE_URL, SandboxAdapter
from categories.sandbox.models import SandboxEntry, SandboxWorkspace
from categories.sandbox.seed import reset_demo_data, seed_demo_data, wipe_sandbox
from tests.contract.openapi import Exchange, record_exchanges, validate_exchange
from tests.support.fake_asana import records_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)  # the demo data's "today", as in tests/sandbox/conftest.py
MONTH_AGO = TODAY - dt.timedelta(days=30)
TOKEN = "contract-token"
UNKNOWN_CATEGORY = "1209000000999999"


# --- the sandbox, seeded once for this module (the approach of tests/sandbox/conftest.py) ---


@pytest.fixture(scope="module")
def _demo_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        reset_demo_data(today=TODAY)
        yield
        wipe_sandbox()


@pytest.fixture
def demo(_demo_data: None, db: None) -> None:
    """The demo data, with this test's changes rolled back afterwards."""
    if not SandboxWorkspace.objects.exists():
        seed_demo_data(today=TODAY)


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the client wanted to retry after {seconds} s: the sandbox failed")


def sandbox_client(token: str = TOKEN) -> tuple[AsanaClient, list[Exchange]]:
    """The real client on a session that talks to the sandbox, and what it exchanged."""
    session = requests.Session()
    session.mount(SANDBOX_BASE_URL.rsplit("/api/", 1)[0] + "/", SandboxAdapter())
    exchanges = record_exchanges(session)
    client = AsanaClient(base_url=SANDBOX_BASE_URL, token=token, session=session, sleep=never_sleep)
    return client, exchanges


@dataclass(frozen=True)
class Demo:
    """Gids found through the API, so the tests do not depend on how the seed numbers rows."""

    workspace: str
    category: str  # active, with time logged in the last month
    category_name: str
    entry: str  # one of the category's recent entries, on a draft timesheet
    other_category: str  # another active category of the workspace
    locked_entry: str  # an entry on an approved timesheet


@pytest.fixture
def found(demo: None) -> Demo:
    client, _ = sandbox_client()
    workspace = client.me().workspaces[0].gid
    categories = list(client.iter_categories(workspace_gid=workspace))
    locked = SandboxEntry.objects.filter(approval_status="APPROVED").earliest("id").gid
    for category in categories:
        page = client.category_entries_page(category.gid, start_date=MONTH_AGO, end_date=TODAY)
        if page.items:
            other = next(c.gid for c in categories if c.gid != category.gid)
            return Demo(workspace, category.gid, category.name, page.items[0].gid, other, locked)
    raise AssertionError("the demo data has no category with recent time")


def validate_all(exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        validate_exchange(exchange.request, exchange.response, api_root=SANDBOX_BASE_URL)


def walk(fetch: Callable[[str | None], Page[Any]], *, pages: int = 3) -> list[Any]:
    """Up to `pages` pages, each asked for with the offset the previous one gave."""
    items: list[Any] = []
    offset: str | None = None
    for _ in range(pages):
        page = fetch(offset)
        items += page.items
        if page.next_offset is None:
            break
        offset = page.next_offset
    return items


# --- every operation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[AsanaClient, Demo], object]
    status: int = 200
    requests: int = 1  # at least this many (paged scenarios need several)
    returns_records: bool = True

    def __str__(self) -> str:
        return self.name


SCENARIOS = (
    Scenario("list_active", lambda c, d: c.categories_page(workspace_gid=d.workspace)),
    Scenario(
        "list_archived",
        lambda c, d: c.categories_page(workspace_gid=d.workspace, archived=True),
    ),
    Scenario(
        "list_in_pages_of_3",
        lambda c, d: walk(
            lambda offset: c.categories_page(workspace_gid=d.workspace, offset=offset, limit=3)
        ),
        requests=3,
    ),
    Scenario("iter_categories", lambda c, d: list(c.iter_categories(workspace_gid=d.workspace))),
    Scenario("get", lambda c, d: c.get_category(d.category)),
    Scenario(
        "create",
        lambda c, d: c.create_category(
            workspace_gid=d.workspace, name="Contract <test> & “quotes” ✓", color="yellow-orange"
        ),
        status=201,
    ),
    Scenario(
        "create_without_color",
        lambda c, d: c.create_category(workspace_gid=d.workspace, name="Contract test"),
        status=201,
    ),
    Scenario("update_name", lambda c, d: c.update_category(d.category, name="Renamed")),
    Scenario(
        "update_every_field",
        lambda c, d: c.update_category(d.category, name="R", color="pink", is_archived=True),
    ),
    Scenario("delete", lambda c, d: c.delete_category(d.category), returns_records=False),
    Scenario(
        "category_entries_with_dates",
        lambda c, d: c.category_entries_page(d.category, start_date=MONTH_AGO, end_date=TODAY),
    ),
    Scenario(
        "category_entries_in_pages_of_5",
        lambda c, d: walk(
            lambda offset: c.category_entries_page(
                d.category, start_date=MONTH_AGO, end_date=TODAY, offset=offset, limit=5
            )
        ),
        requests=2,
    ),
    Scenario(
        "iter_category_entries",
        lambda c, d: list(
            c.iter_category_entries(d.category, start_date=MONTH_AGO, end_date=TODAY)
        ),
    ),
    Scenario(
        "workspace_entries",
        lambda c, d: c.workspace_entries_page(
            workspace_gid=d.workspace, start_date=MONTH_AGO, end_date=TODAY
        ),
    ),
    Scenario(
        "workspace_entries_in_pages_of_5",
        lambda c, d: walk(
            lambda offset: c.workspace_entries_page(
                workspace_gid=d.workspace,
                start_date=MONTH_AGO,
                end_date=TODAY,
                offset=offset,
                limit=5,
            )
        ),
        requests=2,
    ),
    Scenario(
        "iter_workspace_entries",
        lambda c, d: list(
            c.iter_workspace_entries(
                workspace_gid=d.workspace, start_date=MONTH_AGO, end_date=TODAY
            )
        ),
    ),
    Scenario("get_time_entry", lambda c, d: c.get_time_entry(d.entry)),
    Scenario(
        "move_entry", lambda c, d: c.update_time_entry(d.entry, categories=[d.other_category])
    ),
    Scenario("uncategorise_entry", lambda c, d: c.update_time_entry(d.entry, categories=[])),
    Scenario(
        "describe_entry", lambda c, d: c.update_time_entry(d.entry, description="Spec <check>")
    ),
    Scenario("me", lambda c, d: c.me()),
    Scenario("workspaces_page", lambda c, d: c.workspaces_page()),
    Scenario(
        "workspaces_in_pages_of_1",
        lambda c, d: walk(lambda offset: c.workspaces_page(offset=offset, limit=1)),
        requests=2,
    ),
    Scenario("iter_workspaces", lambda c, d: list(c.iter_workspaces())),
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_every_sandbox_answer_to_the_real_client_follows_the_spec(
    found: Demo, scenario: Scenario
) -> None:
    client, exchanges = sandbox_client()

    result = scenario.run(client, found)

    assert len(exchanges) >= scenario.requests
    assert {exchange.response.status_code for exchange in exchanges} == {scenario.status}
    assert bool(records_of(result)) is scenario.returns_records
    validate_all(exchanges)


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorScenario:
    name: str
    run: Callable[[AsanaClient, Demo], object]
    status: int
    error: type[AsanaError]
    token: str = TOKEN

    def __str__(self) -> str:
        return self.name


ERROR_SCENARIOS = (
    ErrorScenario(
        "400_duplicate_name",
        lambda c, d: c.create_category(workspace_gid=d.workspace, name=d.category_name),
        400,
        AsanaBadRequest,
    ),
    ErrorScenario(
        "400_missing_name",
        lambda c, d: c.create_category(workspace_gid=d.workspace, name=""),
        400,
        AsanaBadRequest,
    ),
    ErrorScenario(
        "400_workspace_entries_without_dates",
        lambda c, d: c.call(
            "GET", "/time_tracking_entries", params={"workspace": d.workspace, "limit": 100}
        ),
        400,
        AsanaBadRequest,
    ),
    ErrorScenario("401_invalid_token", lambda c, d: c.me(), 401, AsanaAuthError, "invalid-x"),
    ErrorScenario(
        "404_get_unknown", lambda c, d: c.get_category(UNKNOWN_CATEGORY), 404, AsanaNotFound
    ),
    ErrorScenario(
        "404_update_unknown",
        lambda c, d: c.update_category(UNKNOWN_CATEGORY, name="x"),
        404,
        AsanaNotFound,
    ),
    ErrorScenario(
        "404_delete_unknown",
        lambda c, d: c.delete_category(UNKNOWN_CATEGORY),
        404,
        AsanaNotFound,
    ),
    ErrorScenario(
        "400_two_categories",
        lambda c, d: c.update_time_entry(d.entry, categories=[d.category, d.other_category]),
        400,
        AsanaBadRequest,
    ),
    ErrorScenario(
        "403_entry_on_an_approved_timesheet",
        lambda c, d: c.update_time_entry(d.locked_entry, categories=[]),
        403,
        AsanaForbidden,
    ),
    ErrorScenario(
        "404_unknown_entry",
        lambda c, d: c.get_time_entry("1210000000999999"),
        404,
        AsanaNotFound,
    ),
    ErrorScenario(
        "404_move_unknown_entry",
        lambda c, d: c.update_time_entry("1210000000999999", categories=[]),
        404,
        AsanaNotFound,
    ),
    ErrorScenario(
        "404_entries_of_unknown",
        lambda c, d: c.category_entries_page(UNKNOWN_CATEGORY),
        404,
        AsanaNotFound,
    ),
)


@pytest.mark.parametrize("scenario", ERROR_SCENARIOS, ids=str)
def test_sandbox_error_answers_follow_the_spec_and_reach_the_caller(
    found: Demo, scenario: ErrorScenario
) -> None:
    client, exchanges = sandbox_client(scenario.token)

    with pytest.raises(AsanaError) as raised:
        scenario.run(client, found)

    (exchange,) = exchanges
    validate_all(exchanges)
    first_error = exchange.response.json()["errors"][0]
    assert exchange.response.status_code == scenario.status
    assert type(raised.value) is scenario.error
    assert raised.value.message == first_error["message"] != ""
