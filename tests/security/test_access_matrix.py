"""Who may open what, for every URL the resolver knows (new views are covered by default).

anonymous -> sign in; no role -> 403; Time reviewer -> reads only, 403 on every write
(with and without HTMX headers); Category admin and superuser -> everything.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse

from categories.access.middleware import PUBLIC_URL_NAMES
from categories.asana import AsanaClient
from categories.models import AuditEntry
from categories.sandbox.models import SandboxCategory
from tests.security.routes import PUBLIC, Route, protected_routes, routes_needing

ALL = protected_routes()
WRITES = routes_needing("change")
READS = routes_needing("view") + routes_needing("review")
GID_ROUTES = [route for route in ALL if any("gid" in p for p in route.parameters)]
# A well-formed change, so a refusal cannot be blamed on bad input.
WRITE_DATA = {"name": "Changed by a reviewer", "color": "red", "workspace": "1201000000000001"}
LOGIN = "/accounts/login/"


def send(client: Any, method: str, path: str, *, htmx: bool = False) -> HttpResponse:
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if htmx else {}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, WRITE_DATA, headers=headers)


def answer_to_allowed_method(client: Any, path: str) -> HttpResponse:
    """The answer for the method the view accepts (GET first, else POST)."""
    response = send(client, "GET", path)
    return send(client, "POST", path) if response.status_code == 405 else response


def sandbox_snapshot() -> list[tuple[Any, ...]]:
    return list(
        SandboxCategory.objects.order_by("pk").values_list("pk", "name", "color", "is_archived")
    )


def test_the_matrix_found_the_dashboards_urls() -> None:
    names = {route.name for route in ALL}
    assert {"home", "audit_log"} <= names


def test_every_url_except_the_public_ones_names_what_it_requires() -> None:
    declared = ("view", "review", "change")
    undeclared = [route.name for route in ALL if route.capability not in declared]
    assert undeclared == [], (
        "decorate these views with viewer_required / time_reviewer_required / "
        "category_admin_required"
    )


def test_the_only_views_open_without_signing_in_are_the_probes() -> None:
    assert sorted(PUBLIC_URL_NAMES) == ["healthz", "readyz"]


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_public_allowlist_names_real_urls(name: str) -> None:
    try:
        reverse(name)
    except NoReverseMatch:
        pytest.fail(f"{name} is allowlisted but no longer exists")


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_the_login_page_and_the_health_check_open_without_signing_in(
    client: Any, db: None, path: str
) -> None:
    assert client.get(path).status_code == 200


def test_the_admin_sends_anonymous_visitors_to_a_login_page(client: Any, db: None) -> None:
    response = client.get("/admin/categories/auditentry/")
    assert response.status_code == 302
    assert "/login/?next=" in response["Location"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", ALL, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client: Any, route: Route, method: str) -> None:
    path = route.path()
    response = send(client, method, path)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={quote(path)}"


@pytest.mark.parametrize("route", ALL, ids=str)
def test_anonymous_htmx_requests_redirect_the_whole_page_to_sign_in(
    client: Any, route: Route
) -> None:
    for method in ("GET", "POST"):
        response = send(client, method, route.path(), htmx=True)
        # Not a 302 that htmx would follow and swap into a fragment: the page navigates.
        assert response.status_code == 200
        assert response["HX-Redirect"] == f"{LOGIN}?next=%2F"
        assert b"<form" not in response.content


@pytest.mark.parametrize("route", ALL, ids=str)
def test_people_without_a_role_get_403_everywhere(
    sign_in: Any, roleless_user: Any, route: Route
) -> None:
    client = sign_in(roleless_user)
    responses = [send(client, method, route.path()) for method in ("GET", "POST")]
    statuses = {response.status_code for response in responses}
    # 405: the view takes the other method (it refused before doing anything).
    assert statuses <= {403, 405}
    assert 403 in statuses
    refused = next(response for response in responses if response.status_code == 403)
    assert b"Ask for a role" in refused.content


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("route", WRITES, ids=str)
def test_time_reviewers_cannot_use_any_write_view(
    sign_in: Any, time_reviewer: Any, route: Route, htmx: bool
) -> None:
    client = sign_in(time_reviewer)
    before = sandbox_snapshot()
    responses = [send(client, method, route.path(), htmx=htmx) for method in ("GET", "POST")]
    statuses = {response.status_code for response in responses}
    assert statuses <= {403, 405}
    assert 403 in statuses
    assert sandbox_snapshot() == before
    assert not AuditEntry.objects.exists()
    refused = next(response for response in responses if response.status_code == 403)
    if htmx:
        assert refused["HX-Retarget"] == "#problems"
        assert b"Category admins" in refused.content


@pytest.mark.parametrize("route", READS, ids=str)
def test_time_reviewers_can_open_every_read_view(
    sign_in: Any, time_reviewer: Any, route: Route
) -> None:
    response = answer_to_allowed_method(sign_in(time_reviewer), route.path())
    assert response.status_code < 400, response.content[:500]
    assert not response.get("Location", "").startswith(LOGIN)


@pytest.mark.parametrize("who", ["category_admin", "superuser"])
@pytest.mark.parametrize("route", ALL, ids=str)
def test_category_admins_and_superusers_may_use_every_view(
    sign_in: Any, request: pytest.FixtureRequest, route: Route, who: str
) -> None:
    response = answer_to_allowed_method(sign_in(request.getfixturevalue(who)), route.path())
    # Not refused: a form error (400) on hand-made input is still "allowed in".
    assert response.status_code not in (401, 403, 405)
    assert response.status_code < 500, response.content[:500]
    assert not response.get("Location", "").startswith(LOGIN)


BAD_GIDS = ["abc", "12a4", "١٢٣", "-12", "1.5", "0x1f", "12 34"]


@pytest.mark.parametrize("bad_gid", BAD_GIDS)
@pytest.mark.parametrize("route", GID_ROUTES, ids=str)
def test_a_gid_that_is_not_digits_never_reaches_asana(
    sign_in: Any, category_admin: Any, monkeypatch: pytest.MonkeyPatch, route: Route, bad_gid: str
) -> None:
    asked: list[str] = []
    real_call = AsanaClient.call

    def spy(self: AsanaClient, method: str, path: str, **kwargs: Any) -> Any:
        asked.append(path)
        return real_call(self, method, path, **kwargs)

    monkeypatch.setattr(AsanaClient, "call", spy)
    good = "1209000000000001"
    path = route.path(**{p: good for p in route.parameters if "gid" in p})
    path = path.replace(good, quote(bad_gid))
    client = sign_in(category_admin)
    for method in ("GET", "POST"):
        assert send(client, method, path).status_code in (400, 404, 405)
    assert not [p for p in asked if "time_tracking_categories/" in p]
    assert not AuditEntry.objects.exists()
