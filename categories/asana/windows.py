"""Fetching a long date range as disjoint windows, concurrently, merged in order.

Asana's pages chain (each offset comes from the previous answer), so one query over a
busy range costs one round trip per 100 entries, one after another. Independent queries
over disjoint date windows can run side by side; concatenated in date order they give
exactly the entries, in the order, that the single query would have given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import Executor

from .resources import TimeEntry

FetchWindow = Callable[[dt.date, dt.date], Iterable[TimeEntry]]


def split_range(start: dt.date, end: dt.date, *, windows: int) -> list[tuple[dt.date, dt.date]]:
    """Contiguous, disjoint, inclusive windows covering start..end, as even as days allow."""
    if end < start:
        return []
    days = (end - start).days + 1
    count = max(1, min(windows, days))
    base, extra = divmod(days, count)
    result: list[tuple[dt.date, dt.date]] = []
    cursor = start
    for index in range(count):
        length = base + (1 if index < extra else 0)
        window_end = cursor + dt.timedelta(days=length - 1)
        result.append((cursor, window_end))
        cursor = window_end + dt.timedelta(days=1)
    return result


def fetch_windowed(
    fetch_window: FetchWindow,
    start: dt.date,
    end: dt.date,
    *,
    executor: Executor,
    windows: int,
) -> list[TimeEntry]:
    """Every entry in start..end: windows fetched concurrently, merged in window order.

    An entry seen twice (its date edited between two window queries) is kept once.
    """
    futures = [
        executor.submit(lambda s=s, e=e: list(fetch_window(s, e)))
        for s, e in split_range(start, end, windows=windows)
    ]
    merged: list[TimeEntry] = []
    seen: set[str] = set()
    for future in futures:
        for entry in future.result():
            if entry.gid not in seen:
                seen.add(entry.gid)
                merged.append(entry)
    return merged
