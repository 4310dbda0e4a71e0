"""Builds AsanaClients from settings, each with its token's budget shared by every process.

`asana_client()` is the client the current code acts with:
- a signed-in person's own (`acting_as(person)`, set per request by the frame's
  middleware and by background jobs for the person who started them: see
  categories.web.people), with their budget and their token refreshed before it expires;
- else the deployment token's (ASANA_ACCESS_TOKEN), one per process;
- else, in demo mode, the offline sandbox's: the client's session gets the sandbox
  mounted as a transport adapter, so demo mode runs the real client code.

`build_client(token=, budget_key=, one_persons=)` builds one for any token: pass a budget
key that names whose Asana budget it spends (`person_budget_key(asana_user_gid)` for a
person: it outlives token refreshes), never the token itself.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

import requests
from django.conf import settings

from categories.asana import AsanaAuthError, AsanaClient
from categories.asana.limiter import RequestBudget
from categories.web.budget import FileSlots, Limits, RedisSlots, SharedBudget, SlotStore

DEMO_TOKEN = "demo-sandbox-token"  # noqa: S105 - not a secret: the sandbox accepts any token
DEMO_CACHE_KEY = "demo"


class SignInRequired(AsanaAuthError):
    """This account has no Asana token to act with: with sign-in with Asana and no
    deployment token, an account that did not sign in with Asana sees nothing of Asana."""


class ActingPerson(Protocol):
    """Who the current code acts for in Asana (categories.web.people.PersonAsana)."""

    @property
    def cache_key(self) -> str:
        """Names the person in cache keys: the same across token refreshes."""

    def client(self) -> AsanaClient: ...


_acting: contextvars.ContextVar[ActingPerson | None] = contextvars.ContextVar(
    "asana_acting_person", default=None
)


@contextmanager
def acting_as(person: ActingPerson | None) -> Iterator[None]:
    """Every `asana_client()` call inside (pool threads included: they copy the context)
    uses `person`'s own client; None acts with the deployment token."""
    token = _acting.set(person)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_person() -> ActingPerson | None:
    return _acting.get()


def asana_client() -> AsanaClient:
    """The client to act with now: the acting person's, else the deployment's."""
    person = _acting.get()
    if person is not None:
        return person.client()
    if not settings.DEMO_MODE and not settings.ASANA_ACCESS_TOKEN:
        raise SignInRequired(
            "Sign in with Asana: this dashboard acts in Asana with each person's own "
            "sign-in, and this account has none.",
            status=401,
        )
    return deployment_client()


# Tests and benchmarks drop the process's client (and its connections) between runs.
asana_client.cache_clear = lambda: deployment_client.cache_clear()  # type: ignore[attr-defined]


def acting_cache_key() -> str:
    """Names whose Asana answers these are, for cache keys (never a token): the acting
    person, else a hash of the deployment token, else the demo."""
    person = _acting.get()
    if person is not None:
        return person.cache_key
    if settings.ASANA_ACCESS_TOKEN:
        return hashlib.sha256(settings.ASANA_ACCESS_TOKEN.encode()).hexdigest()[:16]
    return DEMO_CACHE_KEY


# --- budgets and clients ----------------------------------------------------------------------


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
    """Names one Asana user's budget (signing in with Asana): the same across refreshes."""
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


def build_client(
    *,
    token: str,
    budget_key: str,
    one_persons: bool = False,
    token_renewer: Callable[[], str | None] | None = None,
) -> AsanaClient:
    """A client for `token` spending the budget `budget_key` (in demo mode: against the
    sandbox, with this process's budget only). `token_renewer`: see AsanaClient."""
    if settings.DEMO_MODE:
        from categories.sandbox.adapter import SANDBOX_BASE_URL

        # The in-process sandbox is not Asana: it needs no budget beyond this process's,
        # and its injected 429s refuse one request each, they pause nobody.
        budget = RequestBudget(
            requests_per_minute=settings.ASANA_REQUESTS_PER_MINUTE, learns_pauses=False
        )
        return AsanaClient(
            base_url=SANDBOX_BASE_URL,
            token=token,
            session=mount_demo_transport(requests.Session()),
            token_renewer=token_renewer,
            **_shared_options(budget),
        )
    return AsanaClient(
        base_url=settings.ASANA_BASE_URL,
        token=token,
        token_renewer=token_renewer,
        **_shared_options(shared_budget(budget_key, one_persons=one_persons)),
    )


@cache
def deployment_client() -> AsanaClient:
    """The deployment token's client (the demo's in demo mode): one per process (one
    connection pool, one request budget)."""
    token = DEMO_TOKEN if settings.DEMO_MODE else settings.ASANA_ACCESS_TOKEN
    return build_client(token=token, budget_key=token_budget_key(token))


# --- demo mode's transport ----------------------------------------------------------------


def sandbox_origin() -> str:
    from categories.sandbox.adapter import SANDBOX_BASE_URL

    return SANDBOX_BASE_URL.rsplit("/api/", 1)[0]


def mount_demo_transport(session: requests.Session) -> requests.Session:
    """In demo mode, `session`'s requests to the sandbox's address are answered by the
    in-process sandbox (the API and the OAuth token endpoint alike); else unchanged."""
    if settings.DEMO_MODE:
        from categories.sandbox.adapter import SandboxAdapter

        session.mount(sandbox_origin() + "/", SandboxAdapter())
    return session
