"""Builds the process-wide AsanaClient from settings.

With no ASANA_ACCESS_TOKEN the dashboard is in demo mode: the client's session gets the
offline sandbox mounted as a transport adapter, so demo mode runs the real client code.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import requests
from django.conf import settings

from categories.asana import AsanaClient
from categories.asana.limiter import RequestBudget

DEMO_TOKEN = "demo-sandbox-token"  # noqa: S105 - not a secret: the sandbox accepts any token


@cache
def asana_executor() -> ThreadPoolExecutor | None:
    """The bounded pool for fetching from Asana side by side (date windows, categories).

    None in demo mode: the in-process sandbox has no network wait to overlap, and its
    data lives in the request thread's database connection (and transaction).
    """
    if settings.DEMO_MODE:
        return None
    return ThreadPoolExecutor(
        max_workers=settings.ASANA_MAX_CONCURRENCY, thread_name_prefix="asana"
    )


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
