"""The Asana client's call log read back as (method, path, status, duration, attempts):
the `asana_log` fixture (tests/resilience/conftest.py) gives one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from categories.asana.client import logger as client_logger


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
