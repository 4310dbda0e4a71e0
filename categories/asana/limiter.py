"""A token's request budget: what the client asks of it, and one kept per process.

Asana allows a token at most 50 concurrent reads and 15 concurrent writes, and a number
of requests per minute (150 on free domains, 1,500 on paid ones). Parallel fetching must
stay inside that budget, or it provokes the 429s it was meant to avoid.

The client depends only on `Budget`. `RequestBudget` keeps it in this process (enough for
a script using the client as a library); the dashboard passes a budget shared by every
process and server using the token (categories.web.budget).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from .errors import BudgetExhausted

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Budget(Protocol):
    """What the client asks of a token's budget before and after each request."""

    def slot(self, method: str) -> AbstractContextManager[None]:
        """Hold a read slot (GET, HEAD, OPTIONS) or a write slot for one request, counted
        in the minute's requests. Waits a bounded time for one; a budget that cannot give
        one in time raises BudgetExhausted and nothing is sent."""
        ...

    def hold_off(self, seconds: float) -> None:
        """Asana answered 429 with Retry-After: no slot for anyone for `seconds`."""
        ...


class MinuteWindow:
    """At most `per_minute` requests in any window of `window_seconds`, as Asana counts
    them. A request counts from when it is let in until `window_seconds` after it is
    answered: Asana counts it on arrival, somewhere in between, so this holds wherever."""

    def __init__(
        self,
        per_minute: int,
        *,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute, self.window_seconds = max(1, int(per_minute)), window_seconds
        self._clock, self._sleep = clock, sleep
        self._counted_until: dict[int, float] = {}  # request -> end of its count (inf: sent)
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> int:
        """Wait until a request may go; returns its number for `answered`."""
        while True:
            with self._lock:
                now = self._clock()
                counted = self._counted_until
                for request in [r for r, until in counted.items() if until <= now]:
                    del counted[request]
                if len(counted) < self.per_minute:
                    self._next += 1
                    counted[self._next] = math.inf
                    return self._next
                soonest = min(counted.values())
            # Every counted request still in flight: one will be answered soon.
            self._sleep(soonest - now if soonest != math.inf else _IN_FLIGHT_POLL_SECONDS)

    def answered(self, request: int) -> None:
        with self._lock:
            if request in self._counted_until:
                self._counted_until[request] = self._clock() + self.window_seconds


_IN_FLIGHT_POLL_SECONDS = 0.05


class RequestBudget:
    """Bounds concurrent reads and writes and the request rate of one token, in this
    process. After a 429 (`hold_off`) new requests wait out Asana's Retry-After, or, when
    that is longer than `max_wait_seconds`, are refused at once (BudgetExhausted, with the
    seconds left). `learns_pauses=False` ignores 429s: for a stand-in whose refusals are
    per request (the offline sandbox's injected faults), not Asana's token-wide pause."""

    def __init__(
        self,
        *,
        max_concurrent_reads: int = 50,
        max_concurrent_writes: int = 15,
        requests_per_minute: float = 1500,
        max_wait_seconds: float = 10.0,
        learns_pauses: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._reads = threading.BoundedSemaphore(max_concurrent_reads)
        self._writes = threading.BoundedSemaphore(max_concurrent_writes)
        self._minute = MinuteWindow(int(requests_per_minute), clock=clock, sleep=sleep)
        self.max_wait_seconds, self.learns_pauses = max_wait_seconds, learns_pauses
        self._clock, self._sleep = clock, sleep
        self._paused_until = 0.0

    @contextmanager
    def slot(self, method: str) -> Iterator[None]:
        self._wait_out_pause()
        semaphore = self._reads if method in READ_METHODS else self._writes
        with semaphore:
            request = self._minute.take()
            try:
                yield
            finally:
                self._minute.answered(request)

    def hold_off(self, seconds: float) -> None:
        if self.learns_pauses:
            # A float assignment is atomic; the later of two pauses wins, near enough.
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _wait_out_pause(self) -> None:
        pause = self._paused_until - self._clock()
        if pause <= 0:
            return
        if pause > self.max_wait_seconds:
            raise BudgetExhausted(
                "Asana asked this token to wait.", retry_after=float(math.ceil(pause))
            )
        self._sleep(pause)
