"""Timing, cold/warm state and a count of the upstream requests this process sends."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds `action` took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def make_cold(*, new_connections: bool = True) -> None:
    """Forget every cached Asana answer (Django's cache: identity, listings, entries) and,
    with `new_connections`, the process-wide Asana client too: its kept-alive connections
    go, as after a restart, and the next requests open new ones."""
    from django.core.cache import cache

    from categories.web import client as connection

    cache.clear()
    factory: Any = connection.asana_client
    if not new_connections:
        _fresh_budget(factory())
        return
    if not hasattr(factory, "cache_clear"):
        return
    if getattr(factory, "cache_info", None) and factory.cache_info().currsize:
        _close(factory())
    factory.cache_clear()


def _fresh_budget(client: Any) -> None:
    """A new minute for the client's rate limit. Runs follow each other far faster than
    one user's pages: a report of 79 requests every second spends Asana's 1,500 a minute
    within seconds, and the limiter then (rightly) spaces the requests out. A cold page
    is measured as a user meets it, with the minute's budget not yet spent."""
    forget = getattr(getattr(client._budget, "store", None), "forget", None)
    if callable(forget):
        forget()  # the token's shared budget, as every process sees it


def _close(client: Any) -> None:
    closer = getattr(client, "close", None)
    if callable(closer):
        closer()
        return
    session = getattr(client, "_session", None)
    if session is not None:
        session.close()


@dataclass
class Traffic:
    """Upstream requests seen in one window: how many, and the most at once."""

    requests: int = 0
    peak_in_flight: int = 0


class RequestCounter:
    """Counts requests sent through `requests` (our client's transport), thread-safely.

    The official SDK uses urllib3 directly and is not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._current = Traffic()

    def install(self) -> None:
        from requests.adapters import HTTPAdapter

        original = HTTPAdapter.send
        counter = self

        def send(adapter: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
            counter._enter()
            try:
                return original(adapter, request, *args, **kwargs)
            finally:
                counter._leave()

        HTTPAdapter.send = send  # type: ignore[method-assign]

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._current.requests += 1
            self._current.peak_in_flight = max(self._current.peak_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @contextmanager
    def window(self) -> Iterator[Traffic]:
        """The traffic of the `with` block (filled in when it ends)."""
        seen = Traffic()
        with self._lock:
            self._current = seen
        try:
            yield seen
        finally:
            with self._lock:
                self._current = Traffic()


def describe_traffic(traffic: Traffic, *, seconds: float, latency_ms: int) -> str:
    """'3 requests, 1 at a time, ≈ 3.1 round trips of wall time'."""
    if traffic.requests == 0:
        return "no upstream request seen (served from cache, or not sent through requests)"
    text = f"{traffic.requests} upstream request(s), at most {traffic.peak_in_flight} at once"
    text += f", {seconds * 1000 / traffic.requests:.0f} ms of wall time per request"
    if latency_ms > 0:
        text += f" (wall time ≈ {seconds * 1000 / latency_ms:.1f} x latency)"
    return text


class PoolDiscards(logging.Filter):
    """Counts (and silences) urllib3's "Connection pool is full, discarding connection"."""

    MESSAGE = "Connection pool is full"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def install(self) -> None:
        logging.getLogger("urllib3.connectionpool").addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(self.MESSAGE):
            self.count += 1
            return False
        return True
