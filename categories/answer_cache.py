"""Asana's answers kept briefly in Django's cache, so repeated pages cost no round trip.

Keys name the token only by a hash (never the token), the workspace, what was asked and
its parameters, and a generation number: the dashboard's own writes bump it, which retires
every cached answer at once (a rename changes the chips in other categories' entries too,
and writes are rare next to reads). The cache backend is CACHE_URL, so several app
servers behind a load balancer share both the answers and the generation.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from categories.workspaces import token_fingerprint

T = TypeVar("T")


@dataclass(frozen=True)
class Fresh(Generic[T]):
    """An answer and when Asana gave it (shown as "as of" on the page)."""

    value: T
    as_of: dt.datetime


def cached(
    *,
    workspace_gid: str,
    what: str,
    params: Sequence[object],
    fetch: Callable[[], T],
    refresh: bool = False,
) -> Fresh[T]:
    """The cached answer for (workspace, what, params), or a new one from `fetch`.

    `refresh` skips the cache (the page's Refresh action) and stores the new answer.
    """
    key = _key(workspace_gid, what, params)
    if not refresh:
        hit = cache.get(key)
        if hit is not None:
            return hit
    fresh = Fresh(value=fetch(), as_of=timezone.now())
    cache.set(key, fresh, settings.ASANA_CACHE_SECONDS)
    return fresh


def forget_answers() -> None:
    """Retire every cached answer (after one of our own writes)."""
    # A new, unique generation rather than an increment: no race on a missing key.
    cache.set(_generation_key(), time.time_ns(), None)


def _key(workspace_gid: str, what: str, params: Sequence[object]) -> str:
    generation = cache.get(_generation_key()) or 0
    parts = ":".join(str(part) for part in params)
    return f"asana:{token_fingerprint()}:{generation}:{workspace_gid}:{what}:{parts}"


def _generation_key() -> str:
    return f"asana:{token_fingerprint()}:generation"
