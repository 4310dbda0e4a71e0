"""Fixtures for the resilience tests: no real waiting between retries, and the client's
call log read back as (method, path, status, attempts)."""

from __future__ import annotations

import logging

import pytest

from categories.asana import RetryPolicy
from categories.asana.client import logger as client_logger
from tests.support.call_log import CallLog


@pytest.fixture(autouse=True)
def _retries_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries still happen as the policy says (how many, for which methods); only the
    waits between them are skipped. A Retry-After too long to wait still gives up."""
    decide = RetryPolicy.wait_for_rate_limit

    def no_wait_for_rate_limit(
        self: RetryPolicy, attempt: int, retry_after: float | None
    ) -> float | None:
        return None if decide(self, attempt, retry_after) is None else 0.0

    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)
    monkeypatch.setattr(RetryPolicy, "wait_for_rate_limit", no_wait_for_rate_limit)


@pytest.fixture
def asana_log(caplog: pytest.LogCaptureFixture) -> CallLog:
    caplog.set_level(logging.INFO, logger=client_logger.name)
    return CallLog(caplog)
