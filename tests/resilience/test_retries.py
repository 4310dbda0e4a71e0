"""Retried per the client's policy, through the dashboard: short trouble is absorbed (the
person never sees it), long trouble becomes a message, and a create is never resent blindly."""

from __future__ import annotations

from typing import Any

import pytest

from categories.asana import RetryPolicy
from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory
from tests.support.call_log import CallLog
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

ENGINEERING = "1209000000000001"
ENTRIES = f"/categories/{ENGINEERING}/entries/"
MAX_ATTEMPTS = RetryPolicy().max_retries + 1
LIST = "/time_tracking_categories"


def test_a_short_429_burst_is_absorbed_by_retrying_after_the_wait_asana_asks_for(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(
        kind="status", status=429, retry_after=1, method="GET", path_pattern="categories$", times=2
    )

    response = admin_http.get("/")

    assert response.status_code == 200
    assert "Engineering" in response.content.decode()
    assert [call.attempts for call in asana_log.to(LIST)] == [3]


def test_a_429_burst_longer_than_the_retries_says_when_to_try_again(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="status", status=429, retry_after=2, path_pattern="time_tracking")

    response = admin_http.get(ENTRIES, **htmx("entries-panel"))

    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    assert response["HX-Retarget"] == "#problems"
    assert "try again in 2 s" in response.content.decode()
    assert MAX_ATTEMPTS in [call.attempts for call in asana_log.to("time_tracking")]


def test_a_retry_after_too_long_to_wait_is_answered_at_once(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="status", status=429, retry_after=600, path_pattern="time_tracking")

    response = admin_http.get("/")

    assert response.status_code == 429
    assert "try again in 600 s" in response.content.decode()
    assert [call.attempts for call in asana_log.to(LIST)] == [1]


def test_a_create_refused_with_429_is_resent_because_asana_did_nothing(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="status", status=429, retry_after=1, method="POST", times=1)

    response = admin_http.post(
        "/categories/create/", {"name": "Hiring", "color": "pink"}, **htmx("create-form")
    )

    assert response.status_code == 200
    assert SandboxCategory.objects.filter(name="Hiring").count() == 1
    assert [call.attempts for call in asana_log.to(LIST, "POST")] == [2]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "timeout", "latency_ms": 1},
        {"kind": "connection_refused"},
        {"kind": "malformed"},
    ],
    ids=["500", "503", "timeout", "refused", "malformed"],
)
def test_a_read_that_fails_twice_is_retried_and_the_page_shows_normally(
    admin_http: Any, asana_log: CallLog, rule: dict[str, Any]
) -> None:
    inject_fault(**rule, method="GET", path_pattern="time_tracking", times=2)

    response = admin_http.get("/")

    assert response.status_code == 200
    assert "Engineering" in response.content.decode()
    assert [call.attempts for call in asana_log.to(LIST)] == [3]


def test_500s_on_every_retry_become_unavailable_with_asanas_error_phrase(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="status", status=500, path_pattern="time_tracking")

    response = admin_http.get("/")

    html = response.content.decode()
    assert response.status_code == 503
    assert "Asana is unavailable" in html
    assert "Asana said “Server Error”, error phrase “" in html
    assert [call.attempts for call in asana_log.to(LIST)] == [MAX_ATTEMPTS]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 500},
        {"kind": "timeout", "latency_ms": 1},
        {"kind": "malformed"},
    ],
    ids=["500", "timeout", "malformed"],
)
def test_a_create_that_may_have_reached_asana_is_never_resent(
    admin_http: Any, asana_log: CallLog, rule: dict[str, Any]
) -> None:
    inject_fault(**rule, method="POST", times=1)

    admin_http.post(
        "/categories/create/", {"name": "Hiring", "color": "pink"}, **htmx("create-form")
    )

    # One attempt, then a look in Asana's list (see test_lost_create.py) instead of a resend.
    assert [call.attempts for call in asana_log.to(LIST, "POST")] == [1]
    assert SandboxCategory.objects.filter(name="Hiring").count() == 0


def test_a_create_whose_connection_was_refused_is_resent_because_it_never_left(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="connection_refused", method="POST", times=1)

    response = admin_http.post(
        "/categories/create/", {"name": "Hiring", "color": "pink"}, **htmx("create-form")
    )

    assert response.status_code == 200
    assert SandboxCategory.objects.filter(name="Hiring").count() == 1
    assert [call.attempts for call in asana_log.to(LIST, "POST")] == [2]


def test_a_save_that_fails_twice_is_retried_because_a_put_is_idempotent(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="status", status=503, method="PUT", times=2)

    response = admin_http.post(
        f"/categories/{ENGINEERING}/update/",
        {
            "name": "Platform",
            "color": "blue",
            "original_name": "Engineering",
            "original_color": "blue",
        },
        **htmx(),
    )

    assert response.status_code == 200
    assert SandboxCategory.find(ENGINEERING).name == "Platform"
    assert [call.attempts for call in asana_log.to(ENGINEERING, "PUT")] == [3]


def test_a_rate_limited_save_keeps_the_input_and_tells_the_browser_when_to_retry(
    admin_http: Any,
) -> None:
    inject_fault(kind="status", status=429, retry_after=60, method="PUT")

    response = admin_http.post(
        f"/categories/{ENGINEERING}/update/",
        {
            "name": "Platform",
            "color": "blue",
            "original_name": "Engineering",
            "original_color": "blue",
        },
        **htmx(f"category-{ENGINEERING}"),
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert 'value="Platform"' in response.content.decode()
