"""Builds the process-wide AsanaClient from settings.

With no ASANA_ACCESS_TOKEN the dashboard is in demo mode: the client's session gets the
offline sandbox mounted as a transport adapter, so demo mode runs the real client code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
from django.conf import settings

from categories.asana import AsanaClient
from categories.asana.limiter import RequestBudget

DEMO_TOKEN = "demo-sandbox-token"  # noqa: S105 - not a secret: the sandbox accepts any token


def _shared_options() -> dict[str, Any]:
    return {
        "timeout": settings.ASANA_TIMEOUT,
        # Every thread may hold a connection, plus the request threads themselves.
        "pool_size": settings.ASANA_MAX_CONCURRENCY * 2,
        "budget": RequestBudget(requests_per_minute=settings.ASANA_REQUESTS_PER_MINUTE),
    }


@cache
def asana_client() -> AsanaClient:
    """One client (one connection pool, one request budget) per process."""
    if settings.DEMO_MODE:
        from categories.sandbox.adapter import SANDBOX_BASE_URL, SandboxAdapter

        session = requests.Session()
        session.mount(SANDBOX_BASE_URL.rsplit("/api/", 1)[0] + "/", SandboxAdapter())
        return AsanaClient(
            base_url=SANDBOX_BASE_URL, token=DEMO_TOKEN, session=session, **_shared_options()
        )
    return AsanaClient(
        base_url=settings.ASANA_BASE_URL, token=settings.ASANA_ACCESS_TOKEN, **_shared_options()
    )
