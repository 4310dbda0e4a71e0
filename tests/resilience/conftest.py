"""Fixtures for the resilience tests: no real waiting between retries, and the client's
call log read back as (method, path, status, attempts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from categories.asana import RetryPolicy
from categories.asana.client import logger as client_logger


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


@dataclass(frozen=True)
class LoggedCall:
    method: str
    path: str
    status: int | str
    duration_ms: float
    attempts: int


class CallLog:
    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    def calls(self) -> list[LoggedCall]:
        records = [r for r in self._caplog.records if r.name == client_logger.name]
        return [LoggedCall(*record.args) for record in records]  # type: ignore[misc]

    def to(self, fragment: str, method: str | None = None) -> list[LoggedCall]:
        return [
            call
            for call in self.calls()
            if fragment in call.path and (method is None or call.method == method)
        ]


@pytest.fixture
def asana_log(caplog: pytest.LogCaptureFixture) -> CallLog:
    caplog.set_level(logging.INFO, logger=client_logger.name)
    return CallLog(caplog)
