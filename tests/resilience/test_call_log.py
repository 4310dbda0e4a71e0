"""Every Asana call a screen makes is logged once: method, path, status, duration and
attempts, and nothing else (no token, no query string with names or dates)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from categories.sandbox.faults import inject_fault
from categories.web.client import DEMO_TOKEN
from tests.support.call_log import CallLog

pytestmark = pytest.mark.django_db

ENGINEERING = "1209000000000001"


def test_one_call_logs_exactly_method_path_status_duration_and_attempts(
    admin_http: Any, asana_log: CallLog, caplog: pytest.LogCaptureFixture
) -> None:
    inject_fault(kind="status", status=503, method="GET", path_pattern=f"{ENGINEERING}$", times=1)

    admin_http.get(f"/categories/{ENGINEERING}/edit/")

    (record,) = [
        r for r in caplog.records if r.name == "categories.asana" and ENGINEERING in r.getMessage()
    ]
    assert record.levelno == logging.INFO
    method, path, status, duration_ms, attempts = record.args  # type: ignore[misc]
    assert (method, path, status, attempts) == (
        "GET",
        f"/time_tracking_categories/{ENGINEERING}",
        200,
        2,
    )
    assert 0 <= duration_ms < 5000
    assert record.getMessage() == (
        f"asana GET /time_tracking_categories/{ENGINEERING} -> 200 in {duration_ms:.0f} ms, "
        "2 attempt(s)"
    )


def test_no_logged_call_carries_the_token_or_the_query_string(
    admin_http: Any, asana_log: CallLog, caplog: pytest.LogCaptureFixture
) -> None:
    admin_http.get("/?q=design&state=all")
    admin_http.get(f"/categories/{ENGINEERING}/entries/?range=this-month")

    calls = asana_log.calls()
    assert {call.path for call in calls} >= {
        "/time_tracking_categories",
        f"/time_tracking_categories/{ENGINEERING}/time_tracking_entries",
    }
    for record in caplog.records:
        if record.name == "categories.asana":
            assert DEMO_TOKEN not in record.getMessage()
            assert "?" not in record.getMessage()
