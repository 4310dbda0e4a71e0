"""Asana's answers kept briefly in Django's cache, so repeated pages cost no round trip.

Keys name the token only by a hash (never the token), the workspace, what was asked and
its parameters, and a generation number: the dashboard's own writes bump it, which retires
every cached answer at once (a rename changes the chips in other categories' entries too,
and writes are rare next to reads). The answers live in the default cache (each process's
memory, or Redis); the generation in the "shared" cache, which every process sees (Redis,
or files under var/ on one machine), so a write through any process or server retires
the answers every other one cached.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

from categories.web.identity import token_fingerprint

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
    (fresh,) = cached_together(
        workspace_gid=workspace_gid,
        what=what,
        params=[params],
        fetch=lambda missing: [fetch()],
        refresh=refresh,
    )
    return fresh


def cached_together(
    *,
    workspace_gid: str,
    what: str,
    params: Sequence[Sequence[object]],
    fetch: Callable[[list[int]], list[T]],
    refresh: bool = False,
) -> list[Fresh[T]]:
    """Several answers of one kind: those cached, and the rest from one call of `fetch`.

    `fetch` gets the positions (in `params`) of the answers missing and returns them in
    that order, so related questions can be asked of Asana together.
    """
    generation = _generation()
    keys = [_key(workspace_gid, what, one, generation) for one in params]
    found: dict[str, Fresh[T]] = {} if refresh else cache.get_many(keys)
    missing = [index for index, key in enumerate(keys) if key not in found]
    if missing:
        answers = fetch(missing)
        as_of = timezone.now()
        new = {
            keys[index]: Fresh(answer, as_of)
            for index, answer in zip(missing, answers, strict=True)
        }
        cache.set_many(new, settings.ASANA_CACHE_SECONDS)
        found.update(new)
    return [found[key] for key in keys]


def forget_answers() -> None:
    """Retire every cached answer (after one of our own writes)."""
    # A new, unique generation rather than an increment: no race on a missing key.
    caches["shared"].set(_generation_key(), time.time_ns(), None)


def _generation() -> int:
    return caches["shared"].get(_generation_key()) or 0


def _key(workspace_gid: str, what: str, params: Sequence[object], generation: int) -> str:
    parts = ":".join(str(part) for part in params)
    return f"asana:{token_fingerprint()}:{generation}:{workspace_gid}:{what}:{parts}"


def _generation_key() -> str:
    return f"asana:{token_fingerprint()}:generation"
