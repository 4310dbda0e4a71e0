"""Every POST needs the CSRF token, HTMX ones included; the base template sends it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from categories.models import AuditEntry
from categories.sandbox.models import SandboxCategory
from tests.security.routes import Route, routes_needing

WRITES = routes_needing("change")
POST_DATA = {"name": "Renamed without a token", "color": "red"}
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def strict_client(category_admin: Any, seeded_sandbox: None) -> Client:
    """A client that, like a browser, gets no CSRF exemption; signed in as a Category admin."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(category_admin)
    return client


def page_token(client: Client) -> str:
    """The token the base template hands to htmx in `hx-headers` on the <body>."""
    html = client.get("/").content.decode()
    found = re.search(r"""hx-headers='\{"X-CSRFToken": "([A-Za-z0-9]+)"\}'""", html)
    assert found, "base.html must set the X-CSRFToken header for htmx once, on <body>"
    return found.group(1)


def category_names() -> list[str]:
    return list(SandboxCategory.objects.order_by("pk").values_list("name", flat=True))


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("route", WRITES, ids=str)
def test_a_write_without_a_csrf_token_is_refused_and_changes_nothing(
    strict_client: Client, route: Route, htmx: bool
) -> None:
    before = category_names()
    response = strict_client.post(route.path(), POST_DATA, headers=HTMX if htmx else {})
    # GET-only views answer 405 before CSRF is even looked at; both change nothing.
    assert response.status_code in (403, 405)
    if response.status_code == 403:
        assert b"The form had expired" in response.content
    assert category_names() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("route", WRITES, ids=str)
def test_a_wrong_csrf_token_is_refused(strict_client: Client, route: Route) -> None:
    page_token(strict_client)  # sets the cookie, so only the header is wrong
    response = strict_client.post(
        route.path(), POST_DATA, headers={**HTMX, "X-CSRFToken": "x" * 64}
    )
    assert response.status_code in (403, 405)
    assert not AuditEntry.objects.exists()


def test_an_htmx_csrf_refusal_is_shown_in_the_problems_region(strict_client: Client) -> None:
    post_routes = [r for r in WRITES if strict_client.get(r.path()).status_code == 405]
    if not post_routes:
        pytest.skip("no POST-only write view yet")
    response = strict_client.post(post_routes[0].path(), POST_DATA, headers=HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#problems"
    assert b"<html" not in response.content


def test_the_token_from_the_page_lets_an_htmx_post_through(strict_client: Client) -> None:
    """The token in hx-headers is accepted: CSRF protection does not break the app."""
    token = page_token(strict_client)
    response = strict_client.post(
        "/workspace/", {"workspace": "1201000000000002"}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 302


def test_signing_in_without_a_csrf_token_is_refused(category_admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "cat-admin", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_signing_out_needs_a_post_with_a_token(strict_client: Client) -> None:
    assert strict_client.get("/accounts/logout/").status_code == 405
    assert strict_client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in strict_client.session
