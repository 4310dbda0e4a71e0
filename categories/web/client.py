"""Builds the process-wide AsanaClient from settings, with the token's shared budget.

With no ASANA_ACCESS_TOKEN the dashboard is in demo mode: the client's session gets the
offline sandbox mounted as a transport adapter, so demo mode runs the real client code.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import requests
from django.conf import settings

from categories.asana import AsanaClient
from categories.asana.limiter import RequestBudget
from categories.web.budget import FileSlots, Limits, RedisSlots, SharedBudget, SlotStore

DEMO_TOKEN = "demo-sandbox-token"  # noqa: S105 - not a secret: the sandbox accepts any token


def _shared_options(budget: Any) -> dict[str, Any]:
    return {
        "timeout": settings.ASANA_TIMEOUT,
        # Every thread may hold a connection, plus the request threads themselves.
        "pool_size": settings.ASANA_MAX_CONCURRENCY * 2,
        "budget": budget,
    }


def budget_key(token: str) -> str:
    """Names a token's budget without the token (a hash a log or Redis may show)."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def shared_budget(token: str) -> SharedBudget:
    """The token's budget, shared with every process using it: in Redis with REDIS_URL,
    else in a file every process of this machine uses."""
    limits = Limits(per_minute=settings.ASANA_REQUESTS_PER_MINUTE)
    key = budget_key(token)
    store: SlotStore
    if settings.REDIS_URL:
        import redis

        store = RedisSlots(redis.Redis.from_url(settings.REDIS_URL), budget_key=key, limits=limits)
    else:
        store = FileSlots(settings.ASANA_BUDGET_FILE, budget_key=key, limits=limits)
    return SharedBudget(store, wait_seconds=settings.ASANA_BUDGET_WAIT_SECONDS)


@cache
def asana_client() -> AsanaClient:
    """One client (one connection pool, one request budget) per process."""
    if settings.DEMO_MODE:
        from categories.sandbox.adapter import SANDBOX_BASE_URL, SandboxAdapter

        session = requests.Session()
        session.mount(SANDBOX_BASE_URL.rsplit("/api/", 1)[0] + "/", SandboxAdapter())
        # The in-process sandbox is not Asana: it needs no budget beyond this process's.
        budget = RequestBudget(requests_per_minute=settings.ASANA_REQUESTS_PER_MINUTE)
        return AsanaClient(
            base_url=SANDBOX_BASE_URL, token=DEMO_TOKEN, session=session, **_shared_options(budget)
        )
    token = settings.ASANA_ACCESS_TOKEN
    return AsanaClient(
        base_url=settings.ASANA_BASE_URL, token=token, **_shared_options(shared_budget(token))
    )
