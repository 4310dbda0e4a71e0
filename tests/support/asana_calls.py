"""A record of the requests the dashboard sent to Asana (the sandbox) during a test;
the `asana_calls` fixture (tests/conftest.py) fills one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
