"""Fault injection through the adapter: each kind looks to a client like the real thing."""

from __future__ import annotations

import time

import pytest
import requests
from urllib3.exceptions import NewConnectionError

from categories.sandbox.faults import clear_faults, inject_fault, next_fault
from categories.sandbox.models import SandboxFault
from categories.sandbox.transport import MALFORMED_BODY
from tests.support.sandbox import NORTHWIND, Api

WORKSPACES = "/workspaces"


def test_latency_fault_delays_the_answer(api: Api) -> None:
    inject_fault(kind="latency", latency_ms=150, times=1)

    started = time.monotonic()
    response = api.get(WORKSPACES)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert 0.14 <= elapsed < 2


def test_global_latency_comes_from_the_environment(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_LATENCY_MS", "120")

    started = time.monotonic()
    api.get(WORKSPACES)

    assert time.monotonic() - started >= 0.11


def test_status_fault_answers_an_asana_error_with_retry_after(api: Api) -> None:
    inject_fault(kind="status", status=429, retry_after=7)

    response = api.get(WORKSPACES)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    error = response.json()["errors"][0]
    assert error["message"]
    assert error["help"]
    assert "phrase" not in error


def test_a_server_error_fault_carries_a_phrase(api: Api) -> None:
    inject_fault(kind="status", status=503)

    response = api.get(WORKSPACES)

    assert response.status_code == 503
    assert "Retry-After" not in response.headers
    assert response.json()["errors"][0]["phrase"]


def test_timeout_fault_raises_read_timeout_after_the_clients_timeout(api: Api) -> None:
    inject_fault(kind="timeout", latency_ms=5_000)

    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.request("GET", WORKSPACES, timeout=(1, 0.1))

    assert time.monotonic() - started < 1


def test_connection_refused_fault_raises_a_connection_error_before_sending(api: Api) -> None:
    inject_fault(kind="connection_refused")

    with pytest.raises(requests.exceptions.ConnectionError) as raised:
        api.get(WORKSPACES)

    assert not isinstance(raised.value, requests.exceptions.Timeout)
    assert isinstance(raised.value.args[0], NewConnectionError)


def test_malformed_fault_answers_html_with_200(api: Api) -> None:
    inject_fault(kind="malformed")

    response = api.get(WORKSPACES)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.content == MALFORMED_BODY
    with pytest.raises(ValueError, match=r"."):
        response.json()


def test_a_fault_fires_the_given_number_of_times_then_is_gone(api: Api) -> None:
    inject_fault(kind="status", status=500, times=2)

    statuses = [api.get(WORKSPACES).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert not SandboxFault.objects.exists()


def test_a_fault_matches_only_its_method_and_path(api: Api) -> None:
    inject_fault(
        kind="status", status=403, method="post", path_pattern=r"^/time_tracking_categories$"
    )

    assert api.get("/time_tracking_categories", workspace=NORTHWIND).status_code == 200
    assert api.get(WORKSPACES).status_code == 200
    created = api.post("/time_tracking_categories", {"workspace": NORTHWIND, "name": "Hiring"})
    assert created.status_code == 403


def test_the_oldest_matching_fault_fires_first(demo: None) -> None:
    first = inject_fault(kind="status", status=502, times=1)
    second = inject_fault(kind="malformed", times=1)

    assert next_fault("GET", "/workspaces") == first
    assert next_fault("GET", "/workspaces") == second
    assert next_fault("GET", "/workspaces") is None


def test_clear_faults_removes_every_rule(api: Api) -> None:
    inject_fault(kind="status", status=500)
    inject_fault(kind="malformed")

    clear_faults()

    assert api.get(WORKSPACES).status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "status"},
        {"kind": "status", "status": 999},
        {"kind": "latency", "times": 0},
        {"kind": "latency", "path_pattern": "("},
    ],
)
def test_inject_fault_refuses_a_rule_that_cannot_work(demo: None, rule: dict) -> None:
    with pytest.raises(ValueError, match=r"."):
        inject_fault(**rule)
