"""`api.handle`, the transport-free handler both the adapter and the HTTP server call."""

from __future__ import annotations

import pytest

from categories.sandbox import api as sandbox_api
from categories.sandbox.adapter import SANDBOX_BASE_URL
from tests.support.sandbox import ALEX, Api


def test_handle_takes_plain_headers_in_any_case(demo: None) -> None:
    response = sandbox_api.handle(
        method="get",
        url=f"{SANDBOX_BASE_URL}/users/me",
        headers={"authorization": "Bearer plain"},
        body=b"",
    )

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.json()["data"]["gid"] == ALEX


def test_a_bug_in_a_handler_is_a_500_with_a_phrase_not_an_exception(
    demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: object) -> None:
        raise RuntimeError("boom")

    route = sandbox_api._route(r"/workspaces", GET=(broken, "workspaces:read"))
    monkeypatch.setattr(sandbox_api, "ROUTES", (route,))

    response = sandbox_api.handle(
        method="GET",
        url=f"{SANDBOX_BASE_URL}/workspaces",
        headers={"Authorization": "Bearer x"},
        body=b"",
    )

    assert response.status == 500
    error = response.json()["errors"][0]
    assert error["phrase"]
    assert "boom" not in error["message"]


def test_pretty_printing_is_available_with_opt_pretty(api: Api) -> None:
    assert b"\n" in api.get("/users/me", opt_pretty="true").content
    assert b"\n" not in api.get("/users/me").content


def test_the_control_api_is_not_reachable_through_the_adapter(api: Api) -> None:
    root = SANDBOX_BASE_URL.rsplit("/api/", 1)[0]

    response = api.session.post(f"{root}/_sandbox/faults", json={"kind": "malformed"}, timeout=5)

    assert response.status_code == 404
