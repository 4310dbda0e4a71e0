"""The Asana token stays on the server: never in a page, a header, a log line or the audit log,
whatever Asana answers, and not on DEBUG error pages either."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from django.test import Client
from django.views.debug import get_default_exception_reporter_filter
from requests.structures import CaseInsensitiveDict

from categories.asana import RetryPolicy
from categories.models import AuditEntry
from categories.web.client import asana_client
from tests.security.routes import Route, protected_routes

TOKEN = "2/1208123456789012/1209876543210987:0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
ASANA = re.compile(r"https://app\.asana\.com/api/1\.0/.*")
ROUTES = protected_routes()


@pytest.fixture
def real_asana(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """Configured for the real Asana with a recognisable token; `responses` plays Asana."""
    settings.ASANA_ACCESS_TOKEN = TOKEN
    settings.DEMO_MODE = False
    settings.ASANA_BASE_URL = "https://app.asana.com/api/1.0"
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)
    asana_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    asana_client.cache_clear()


def asana_answers(mock: responses.RequestsMock, status: int, message: str) -> None:
    body = {"errors": [{"message": message, "help": "https://developers.asana.com/docs/errors"}]}
    for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
        mock.add(method, ASANA, json=body, status=status)


def exposed(response: Any) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    cookies = response.cookies.output()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return f"{headers}\n{cookies}\n{body.decode(errors='replace')}"


def visit_everything(client: Client, route: Route) -> list[Any]:
    path = route.path()
    return [
        client.get(path),
        client.get(path, headers={"HX-Request": "true"}),
        client.post(path, {"name": "Renamed", "color": "red"}),
        client.post(path, {"name": "Renamed", "color": "red"}, headers={"HX-Request": "true"}),
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [(401, "Not Authorized"), (403, "Forbidden"), (500, "Server Error"), (503, "Unavailable")],
)
def test_no_page_header_log_or_audit_entry_shows_the_token_whatever_asana_answers(
    real_asana: responses.RequestsMock,
    client: Client,
    category_admin: Any,
    caplog: pytest.LogCaptureFixture,
    status: int,
    message: str,
) -> None:
    asana_answers(real_asana, status, message)
    client.force_login(category_admin)
    caplog.set_level(logging.DEBUG)
    seen = [exposed(r) for route in ROUTES for r in visit_everything(client, route)]
    # The token really was in play: Asana was asked, with it.
    assert real_asana.calls
    assert real_asana.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert not [text for text in seen if TOKEN in text]
    assert TOKEN not in caplog.text
    assert not [r for r in caplog.records if TOKEN in repr(r.args) or TOKEN in r.getMessage()]
    for entry in AuditEntry.objects.all():
        assert TOKEN not in f"{entry.error_message} {entry.before} {entry.after}"


def asana_accepts(mock: responses.RequestsMock) -> None:
    """Just enough of Asana for every page to render."""
    workspace = {"gid": "1201000000000001", "name": "Northwind"}
    category = {"gid": "1209000000000001", "name": "Design", "color": "red", "is_archived": False}
    me = {"gid": "1", "name": "Ada", "email": "ada@example.com", "workspaces": [workspace]}
    api = re.escape("https://app.asana.com/api/1.0")
    # Patterns must not overlap: `responses` retires a match that another one shadows.
    answers = {
        r"/users/me": {"data": me},
        r"/workspaces": {"data": [workspace]},
        r"/time_tracking_categories": {"data": []},
        r"/time_tracking_categories/\d+": {"data": category},
        r"(/time_tracking_categories/\d+)?/time_tracking_entries": {"data": []},
    }
    for path, body in answers.items():
        mock.add(responses.GET, re.compile(f"{api}{path}(\\?.*)?$"), json=body)


def test_the_token_is_not_in_the_pages_when_asana_accepts_it_either(
    real_asana: responses.RequestsMock, client: Client, category_admin: Any
) -> None:
    asana_accepts(real_asana)
    client.force_login(category_admin)
    for route in ROUTES:
        response = client.get(route.path())
        assert response.status_code < 500, route
        assert TOKEN not in exposed(response)
    assert real_asana.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_django_hides_the_token_setting_on_error_pages(settings: Any) -> None:
    settings.ASANA_ACCESS_TOKEN = TOKEN
    safe = get_default_exception_reporter_filter().get_safe_settings()
    assert safe["ASANA_ACCESS_TOKEN"] != TOKEN
    assert set(safe["ASANA_ACCESS_TOKEN"]) == {"*"}


def blow_up_holding_the_token(request: object = None) -> None:
    """A bug under a failed call, whose chained exception's frame holds the request's
    headers in a local variable, as the frames inside requests and urllib3 do."""
    headers = CaseInsensitiveDict(
        {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    )
    try:
        raise ConnectionError(f"could not send a request accepting {headers['Accept']}")
    except ConnectionError as error:
        raise RuntimeError("a bug while rendering the header") from error


@pytest.mark.parametrize("with_our_filter", [True, False])
def test_debug_error_pages_never_echo_the_token(
    real_asana: responses.RequestsMock,
    client: Client,
    category_admin: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    with_our_filter: bool,
) -> None:
    settings.DEBUG = True
    # Django caches the filter it loads from settings; load it afresh for this test.
    get_default_exception_reporter_filter.cache_clear()
    request.addfinalizer(get_default_exception_reporter_filter.cache_clear)
    if not with_our_filter:  # proves the check below can fail
        settings.DEFAULT_EXCEPTION_REPORTER_FILTER = (
            "django.views.debug.SafeExceptionReporterFilter"
        )
    monkeypatch.setattr(
        "categories.web.context_processors.request_identity", blow_up_holding_the_token
    )
    client.raise_request_exception = False
    client.force_login(category_admin)
    response = client.get("/audit/")
    assert response.status_code == 500
    assert "a bug while rendering the header" in response.content.decode()
    assert (TOKEN in exposed(response)) is not with_our_filter
