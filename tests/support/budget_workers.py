"""What a process does with the shared budget in the multi-process budget tests: importable
by name, so that spawned processes (a fresh interpreter each, like separate servers) run it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from categories.asana.errors import BudgetExhausted
from categories.web.budget import (
    FileSlots,
    Limits,
    RedisSlots,
    SharedBudget,
    acting_for,
    background_work,
)


def make_budget(
    where: str,
    limits: Limits,
    *,
    wait: float,
    lease_seconds: float = 60.0,
    clock: Callable[[], float] = time.time,
) -> SharedBudget:
    if where.startswith("redis://"):
        import redis

        store: Any = RedisSlots(
            redis.Redis.from_url(where), budget_key="test", limits=limits,
            lease_seconds=lease_seconds,
        )  # fmt: skip
    else:
        store = FileSlots(
            Path(where), budget_key="test", limits=limits, lease_seconds=lease_seconds
        )
    return SharedBudget(store, wait_seconds=wait, clock=clock)


def send(
    where: str,
    limits: Limits,
    *,
    requests: int,
    method: str = "GET",
    hold: float = 0.0,
    wait: float = 0.5,
    person: str = "",
    background: bool = False,
) -> list[tuple[str, float, float]]:
    """Try `requests` requests; each sent one is (outcome, start, end) with outcome "sent",
    each refused one ("refused", time, time)."""
    budget = make_budget(where, limits, wait=wait)
    done: list[tuple[str, float, float]] = []
    scope = background_work(person or "background") if background else acting_for(person)
    with scope:
        for _ in range(requests):
            try:
                with budget.slot(method):
                    start = time.time()
                    time.sleep(hold)
                    done.append(("sent", start, time.time()))
            except BudgetExhausted:
                now = time.time()
                done.append(("refused", now, now))
    return done


def hold_forever(where: str, limits: Limits, lease_seconds: float, holding: Any) -> None:
    """Take a write slot, say so, and never give it back (the test kills this process)."""
    budget = make_budget(where, limits, wait=60, lease_seconds=lease_seconds)
    with budget.slot("PUT"):
        holding.set()
        time.sleep(3600)


def hold_off(where: str, limits: Limits, seconds: float) -> None:
    """What a process does on a 429 with Retry-After: pause the token for everyone."""
    make_budget(where, limits, wait=0).hold_off(seconds)


def send_for(
    where: str, limits: Limits, *, seconds: float, hold: float
) -> list[tuple[str, float, float]]:
    """Send requests back to back for `seconds`, each waiting as long as it takes for its slot
    and holding it `hold` seconds (the request's trip to Asana and back)."""
    budget = make_budget(where, limits, wait=seconds)
    done: list[tuple[str, float, float]] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        with budget.slot("GET"):
            start = time.time()
            time.sleep(hold)
            done.append(("sent", start, time.time()))
    return done
