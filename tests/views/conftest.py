"""Fixtures for the screens' view tests: a spy on the requests sent to Asana."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from categories.asana.client import AsanaClient


@dataclass(frozen=True)
class AsanaCall:
    method: str
    path: str
    params: dict[str, Any]
    json: dict[str, Any] | None


class AsanaCalls(list[AsanaCall]):
    """Every request the dashboard sent to Asana (the sandbox) during a test."""

    def to(self, fragment: str, method: str | None = None) -> list[AsanaCall]:
        """The calls whose path contains `fragment` (identity look-ups left out)."""
        return [
            call
            for call in self
            if fragment in call.path and (method is None or call.method == method)
        ]

    def category_calls(self) -> list[AsanaCall]:
        return self.to("/time_tracking_")


@pytest.fixture
def asana_calls(monkeypatch: pytest.MonkeyPatch) -> AsanaCalls:
    calls = AsanaCalls()
    original = AsanaClient.call

    def spy(self: AsanaClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        calls.append(AsanaCall(method, path, dict(kwargs.get("params") or {}), kwargs.get("json")))
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(AsanaClient, "call", spy)
    return calls
