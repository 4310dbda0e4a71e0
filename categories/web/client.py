"""Builds AsanaClients from settings, each with its token's budget shared by every process.

`asana_client()` is the process's client for the deployment token. `build_client(token=,
budget_key=, one_persons=)` builds one for any token, e.g. a signed-in person's: pass a
budget key that names that person's Asana budget (`person_budget_key(asana_user_gid)`: it
outlives token refreshes), never the token itself, and `one_persons=True` (the share one
person may take of a token everyone uses does not apply to their own).

With no ASANA_ACCESS_TOKEN the dashboard is in demo mode: the client's session gets the
offline sandbox mounted as a transport adapter, so demo mode runs the real client code.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
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


def token_budget_key(token: str) -> str:
    """Names a token's budget without the token (a hash a log or Redis may show)."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def person_budget_key(asana_user_gid: str) -> str:
    """Names one Asana user's budget (per-person sign-in): the same across token refreshes."""
    return "user-" + hashlib.sha256(asana_user_gid.encode()).hexdigest()[:24]


def shared_budget(budget_key: str, *, one_persons: bool = False) -> SharedBudget:
    """The budget named `budget_key`, shared with every process using it: in Redis with
    REDIS_URL, else in a file every process of this machine uses. `one_persons`: the
    budget is one person's own (their own token), so no per-person share applies in it;
    background work's share still does."""
    limits = Limits(
        per_minute=settings.ASANA_REQUESTS_PER_MINUTE,
        person_share=1.0 if one_persons else settings.ASANA_BUDGET_PERSON_SHARE,
        background_share=settings.ASANA_BUDGET_BACKGROUND_SHARE,
        background_writes=settings.ASANA_BUDGET_BACKGROUND_WRITES,
    )
    store: SlotStore
    if settings.REDIS_URL:
        store = RedisSlots(_redis(settings.REDIS_URL), budget_key=budget_key, limits=limits)
    else:
        store = FileSlots(Path(settings.ASANA_BUDGET_FILE), budget_key=budget_key, limits=limits)
    return SharedBudget(store, wait_seconds=settings.ASANA_BUDGET_WAIT_SECONDS)


@lru_cache(maxsize=4)
def _redis(url: str) -> Any:
    """One connection pool per process (clients built per person share it)."""
    import redis

    return redis.Redis.from_url(url)


def build_client(*, token: str, budget_key: str, one_persons: bool = False) -> AsanaClient:
    """A client for `token` against ASANA_BASE_URL, spending the budget `budget_key`
    (`one_persons=True` for a person's own token: see `shared_budget`)."""
    return AsanaClient(
        base_url=settings.ASANA_BASE_URL,
        token=token,
        **_shared_options(shared_budget(budget_key, one_persons=one_persons)),
    )


@cache
def asana_client() -> AsanaClient:
    """One client (one connection pool, one request budget) per process."""
    if settings.DEMO_MODE:
        from categories.sandbox.adapter import SANDBOX_BASE_URL, SandboxAdapter

        session = requests.Session()
        session.mount(SANDBOX_BASE_URL.rsplit("/api/", 1)[0] + "/", SandboxAdapter())
        # The in-process sandbox is not Asana: it needs no budget beyond this process's,
        # and its injected 429s refuse one request each, they pause nobody.
        budget = RequestBudget(
            requests_per_minute=settings.ASANA_REQUESTS_PER_MINUTE, learns_pauses=False
        )
        return AsanaClient(
            base_url=SANDBOX_BASE_URL, token=DEMO_TOKEN, session=session, **_shared_options(budget)
        )
    token = settings.ASANA_ACCESS_TOKEN
    return build_client(token=token, budget_key=token_budget_key(token))
