"""Shared pieces of the Asana client tests: a fake Asana on `responses`, and canned records.

Every test talks to `FakeAsana`: a `responses` mock of https://app.asana.com/api/1.0, an
`AsanaClient` whose sleeps are recorded instead of slept, and helpers to read back what the
client sent. Test modules get the `asana` fixture with
`from tests.support.fake_asana import asana_fixture`.
The canned records follow tests/contract/time_tracking_oas.yaml (the contract tests check
that they do), so what the client tests feed the client looks like what Asana answers.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from categories.asana import (
    AsanaClient,
    Category,
    Page,
    RetryPolicy,
    TimeEntry,
    User,
    Workspace,
)
from categories.asana.limiter import RequestBudget

BASE_URL = "https://app.asana.com/api/1.0"
TOKEN = "secret-token-123"
WORKSPACE = "1200000000000001"
CATEGORY = "1201000000000001"
START = dt.date(2025, 3, 1)
END = dt.date(2025, 3, 31)
HELP = "For more information on API status codes and how to handle them, read the docs on errors."

Json = dict[str, Any]


# --- canned Asana records ------------------------------------------------------------------


def category_json(
    gid: str = CATEGORY,
    name: str = "Design & <research>",
    color: str = "blue",
    *,
    is_archived: bool | None = False,
) -> Json:
    record: Json = {
        "gid": gid,
        "resource_type": "time_tracking_category",
        "name": name,
        "color": color,
    }
    if is_archived is not None:
        record["is_archived"] = is_archived
    return record


def entry_json(gid: str = "3001", entered_on: str = "2025-03-04", minutes: int = 90) -> Json:
    return {
        "gid": gid,
        "resource_type": "time_tracking_entry",
        "duration_minutes": minutes,
        "entered_on": entered_on,
        "attributable_to": {"gid": "4001", "resource_type": "project", "name": 'Relaunch "v2"'},
        "created_by": {"gid": "5001", "resource_type": "user", "name": "Zoë O'Neil"},
        "categories": [category_json(is_archived=None)],
    }


def workspace_json(gid: str = WORKSPACE, name: str = "Acme") -> Json:
    return {"gid": gid, "resource_type": "workspace", "name": name}


def user_json() -> Json:
    return {
        "gid": "5001",
        "resource_type": "user",
        "name": "Zoë O'Neil",
        "email": "zoe@example.com",
        "workspaces": [workspace_json(), workspace_json("1200000000000002", "Side project")],
    }


def next_page_json(path: str, offset: str) -> Json:
    return {"offset": offset, "path": f"{path}?limit=100&offset={offset}", "uri": BASE_URL + path}


def page_json(items: Sequence[Json], *, path: str = "", offset: str | None = None) -> Json:
    """A list answer: `next_page` is null on the last page, as Asana sends it."""
    return {"data": list(items), "next_page": next_page_json(path, offset) if offset else None}


def error_json(message: str, *, phrase: str = "") -> Json:
    error = {"message": message, "help": HELP}
    if phrase:
        error["phrase"] = phrase
    return {"errors": [error]}


def opaque_offset(position: int) -> str:
    """Offsets like Asana's: opaque, with characters a careless client would mangle."""
    token = json.dumps({"position": position, "salt": "+/?&"}).encode()
    return base64.b64encode(token).decode() + "+/="


# --- transport failures, built the way `requests` raises them ------------------------------


@dataclass(frozen=True)
class TransportFailure:
    """A way for a request to get no answer; `reached` says whether Asana may have seen it."""

    name: str
    make: Callable[[], requests.RequestException]
    reached: bool

    def __str__(self) -> str:
        return self.name


def _unreachable(reason: Exception) -> requests.ConnectionError:
    return requests.ConnectionError(MaxRetryError(None, BASE_URL, reason=reason))  # type: ignore[arg-type]


TRANSPORT_FAILURES: tuple[TransportFailure, ...] = (
    TransportFailure(
        "ReadTimeout",
        lambda: requests.ReadTimeout(ReadTimeoutError(None, BASE_URL, "Read timed out.")),  # type: ignore[arg-type]
        reached=True,
    ),
    TransportFailure(
        "ConnectTimeout",
        lambda: requests.ConnectTimeout(
            MaxRetryError(None, BASE_URL, ConnectTimeoutError("Connection timed out"))  # type: ignore[arg-type]
        ),
        reached=False,
    ),
    TransportFailure(
        "ConnectionRefused",
        lambda: _unreachable(NewConnectionError(None, "[Errno 111] Connection refused")),  # type: ignore[arg-type]
        reached=False,
    ),
    TransportFailure(
        "NameNotResolved",
        lambda: _unreachable(
            NameResolutionError("app.asana.com", None, socket.gaierror(-2, "Name unknown"))  # type: ignore[arg-type]
        ),
        reached=False,
    ),
    TransportFailure(
        "ConnectionDropped",
        lambda: requests.ConnectionError(
            ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset"))
        ),
        reached=True,
    ),
)


# --- the fake --------------------------------------------------------------------------------


@dataclass
class FakeAsana:
    """A `responses` mock of Asana plus a client that records its sleeps."""

    mock: responses.RequestsMock
    sleeps: list[float] = field(default_factory=list)
    budget_sleeps: list[float] = field(default_factory=list)
    client: AsanaClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.make_client()

    def make_client(self, token: str = TOKEN, **options: Any) -> AsanaClient:
        # The budget's own waits (a 429's pause) are recorded apart from the retries'.
        options.setdefault("budget", RequestBudget(sleep=self.budget_sleeps.append))
        return AsanaClient(base_url=BASE_URL, token=token, sleep=self.sleeps.append, **options)

    def use_policy(self, policy: RetryPolicy) -> None:
        self.client = self.make_client(retry_policy=policy)

    def reply(
        self,
        method: str,
        path: str,
        json: object = None,
        *,
        status: int = 200,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Queue one answer; answers for the same URL are given in order, the last repeats."""
        if body is None:
            self.mock.add(method, BASE_URL + path, json=json, status=status, headers=headers)
        else:
            self.mock.add(method, BASE_URL + path, body=body, status=status, headers=headers)

    def fail(self, method: str, path: str, error: Exception) -> None:
        """Queue a transport failure: `requests` raises `error` instead of answering."""
        self.mock.add(method, BASE_URL + path, body=error)

    def serve_pages(self, path: str, items: Sequence[Json]) -> None:
        """Answer a list like Asana: honour `limit`, hand out opaque offsets, refuse others."""
        issued: dict[str, int] = {}

        def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            query = query_of(request)
            if "limit" not in query:
                return 400, {}, json.dumps(error_json("The result is too large."))
            start = issued.get(query["offset"]) if "offset" in query else 0
            if start is None:
                return 400, {}, json.dumps(error_json("offset: Your pagination token is invalid"))
            end = start + int(query["limit"])
            offset = opaque_offset(end) if end < len(items) else None
            if offset:
                issued[offset] = end
            return 200, {}, json.dumps(page_json(items[start:end], path=path, offset=offset))

        self.mock.add_callback(
            "GET", BASE_URL + path, callback=answer, content_type="application/json"
        )

    @property
    def sent(self) -> list[requests.PreparedRequest]:
        return [call.request for call in self.mock.calls]

    def query(self, index: int = -1) -> dict[str, str]:
        return query_of(self.sent[index])

    def offsets(self) -> list[str | None]:
        """The `offset` each request sent, in order (None when it sent none)."""
        return [query_of(request).get("offset") for request in self.sent]

    def body(self, index: int = -1) -> Json:
        return json.loads(self.sent[index].body or b"null")


def query_of(request: requests.PreparedRequest) -> dict[str, str]:
    """The query string of a sent request, decoded (each of our parameters appears once)."""
    pairs = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    return {name: values[-1] for name, values in pairs.items()}


def path_of(request: requests.PreparedRequest) -> str:
    return urlsplit(request.url).path.removeprefix("/api/1.0")


@pytest.fixture(name="asana")
def asana_fixture() -> Iterator[FakeAsana]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeAsana(mock)


# --- every client method, once ------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One public client method with its canned Asana answer and what it must return."""

    name: str
    invoke: Callable[[AsanaClient], object]
    method: str
    path: str
    answer: Json
    record: type | None  # the type of each record returned
    returns: type  # the type of the value returned: a record, a Page, a list or None
    status: int = 200

    def __str__(self) -> str:
        return self.name


CATEGORY_PATH = f"/time_tracking_categories/{CATEGORY}"
ENTRIES_PATH = f"{CATEGORY_PATH}/time_tracking_entries"
CATEGORIES_PAGE = page_json([category_json(), category_json("1201000000000002", "Ops", "red")])
ENTRIES_PAGE = page_json([entry_json(), entry_json("3002", "2025-03-05", 15)])

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "categories_page",
        lambda c: c.categories_page(workspace_gid=WORKSPACE),
        "GET",
        "/time_tracking_categories",
        CATEGORIES_PAGE,
        Category,
        Page,
    ),
    Operation(
        "categories_page_archived",
        lambda c: c.categories_page(workspace_gid=WORKSPACE, archived=True),
        "GET",
        "/time_tracking_categories",
        page_json([category_json(is_archived=True)]),
        Category,
        Page,
    ),
    Operation(
        "iter_categories",
        lambda c: list(c.iter_categories(workspace_gid=WORKSPACE)),
        "GET",
        "/time_tracking_categories",
        CATEGORIES_PAGE,
        Category,
        list,
    ),
    Operation(
        "get_category",
        lambda c: c.get_category(CATEGORY),
        "GET",
        CATEGORY_PATH,
        {"data": category_json()},
        Category,
        Category,
    ),
    Operation(
        "create_category",
        lambda c: c.create_category(workspace_gid=WORKSPACE, name="Design", color="aqua"),
        "POST",
        "/time_tracking_categories",
        {"data": category_json(name="Design", color="aqua")},
        Category,
        Category,
        status=201,
    ),
    Operation(
        "create_category_without_color",
        lambda c: c.create_category(workspace_gid=WORKSPACE, name="Design"),
        "POST",
        "/time_tracking_categories",
        {"data": category_json(name="Design", color="none")},
        Category,
        Category,
        status=201,
    ),
    Operation(
        "update_category",
        lambda c: c.update_category(CATEGORY, name="Renamed", color="cool-gray", is_archived=True),
        "PUT",
        CATEGORY_PATH,
        {"data": category_json(name="Renamed", color="cool-gray", is_archived=True)},
        Category,
        Category,
    ),
    Operation(
        "delete_category",
        lambda c: c.delete_category(CATEGORY),
        "DELETE",
        CATEGORY_PATH,
        {"data": {}},
        None,
        type(None),
    ),
    Operation(
        "category_entries_page",
        lambda c: c.category_entries_page(CATEGORY, start_date=START, end_date=END),
        "GET",
        ENTRIES_PATH,
        ENTRIES_PAGE,
        TimeEntry,
        Page,
    ),
    Operation(
        "category_entries_page_undated",
        lambda c: c.category_entries_page(CATEGORY),
        "GET",
        ENTRIES_PATH,
        ENTRIES_PAGE,
        TimeEntry,
        Page,
    ),
    Operation(
        "iter_category_entries",
        lambda c: list(c.iter_category_entries(CATEGORY, start_date=START, end_date=END)),
        "GET",
        ENTRIES_PATH,
        ENTRIES_PAGE,
        TimeEntry,
        list,
    ),
    Operation(
        "workspace_entries_page",
        lambda c: c.workspace_entries_page(workspace_gid=WORKSPACE, start_date=START, end_date=END),
        "GET",
        "/time_tracking_entries",
        ENTRIES_PAGE,
        TimeEntry,
        Page,
    ),
    Operation(
        "iter_workspace_entries",
        lambda c: list(
            c.iter_workspace_entries(workspace_gid=WORKSPACE, start_date=START, end_date=END)
        ),
        "GET",
        "/time_tracking_entries",
        ENTRIES_PAGE,
        TimeEntry,
        list,
    ),
    Operation("me", lambda c: c.me(), "GET", "/users/me", {"data": user_json()}, User, User),
    Operation(
        "workspaces_page",
        lambda c: c.workspaces_page(),
        "GET",
        "/workspaces",
        page_json([workspace_json()]),
        Workspace,
        Page,
    ),
    Operation(
        "iter_workspaces",
        lambda c: list(c.iter_workspaces()),
        "GET",
        "/workspaces",
        page_json([workspace_json(), workspace_json("1200000000000002", "Side project")]),
        Workspace,
        list,
    ),
)


def run(asana: FakeAsana, operation: Operation) -> object:
    """Queue the operation's canned answer and call it."""
    asana.reply(operation.method, operation.path, operation.answer, status=operation.status)
    return operation.invoke(asana.client)


def records_of(result: object) -> list[object]:
    """The records a call returned, whatever its shape (page, list, one record, nothing)."""
    if result is None:
        return []
    if isinstance(result, Page):
        return list(result.items)
    if isinstance(result, list):
        return result
    return [result]
