"""Fetching a long date range as disjoint windows, concurrently, merged in order.

Asana's pages chain (each offset comes from the previous answer), so one query over a
busy range costs one round trip per 100 entries, one after another. Independent queries
over disjoint date windows can run side by side; concatenated in date order they give
exactly the entries, in the order, that the single query would have given.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future

from .resources import Page, TimeEntry

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


FetchPage = Callable[[dt.date, dt.date, "str | None"], Page[TimeEntry]]


def stream_windowed(
    fetch_page: FetchPage,
    start: dt.date,
    end: dt.date,
    *,
    executor: Executor,
    windows: int,
    pages_ahead: int = 3,
) -> Iterator[TimeEntry]:
    """Every entry in start..end, in the order one query would give, as pages arrive.

    The windows' pages are fetched side by side, each window at most `pages_ahead` pages
    ahead of the reader, so memory is bounded by windows x pages_ahead x 100 entries
    whatever the range holds, and the first entries can be sent at once. Page fetches
    are separate tasks that never wait on the reader, so a slow download holds no pool
    thread. A failed page is raised where the reader reaches it, after the entries
    before it; closing the iterator stops fetching.
    """
    return _WindowStream(
        fetch_page, split_range(start, end, windows=windows), executor, pages_ahead
    ).entries()


class _Window:
    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.pages: deque[list[TimeEntry]] = deque()
        self.next_offset: str | None = None
        self.fetching = False
        self.finished = False
        self.error: BaseException | None = None

    def holds(self, entry: TimeEntry) -> bool:
        # An entry whose date was edited between two windows' queries shows up in the
        # window of its new date; the copy outside its window is dropped.
        return self.start <= entry.entered_on <= self.end


class _WindowStream:
    def __init__(
        self,
        fetch_page: FetchPage,
        spans: list[tuple[dt.date, dt.date]],
        executor: Executor,
        pages_ahead: int,
    ) -> None:
        self._fetch_page = fetch_page
        self._executor = executor
        self._pages_ahead = max(1, pages_ahead)
        self._windows = [_Window(start, end) for start, end in spans]
        self._changed = threading.Condition()
        self._closed = False

    def entries(self) -> Iterator[TimeEntry]:
        with self._changed:
            for window in self._windows:
                self._fetch_next(window)
        try:
            for window in self._windows:
                while (items := self._next_page(window)) is not None:
                    yield from (entry for entry in items if window.holds(entry))
        finally:
            with self._changed:
                self._closed = True

    def _next_page(self, window: _Window) -> list[TimeEntry] | None:
        """The window's next page, waiting for it; None once the window is exhausted."""
        with self._changed:
            while not window.pages and not window.finished:
                self._changed.wait()
            if window.pages:
                items = window.pages.popleft()
                self._fetch_next(window)  # resumes a window that waited for the reader
                return items
            if window.error is not None:
                raise window.error
            return None

    def _fetch_next(self, window: _Window) -> None:
        """Start fetching the window's next page, unless it is busy, done or far enough
        ahead of the reader. Called with the lock held."""
        if window.fetching or window.finished or self._closed:
            return
        if len(window.pages) >= self._pages_ahead:
            return
        window.fetching = True
        future = self._executor.submit(
            self._fetch_page, window.start, window.end, window.next_offset
        )
        future.add_done_callback(lambda done: self._arrived(window, done))

    def _arrived(self, window: _Window, done: Future[Page[TimeEntry]]) -> None:
        with self._changed:
            window.fetching = False
            try:
                page = done.result()
            except BaseException as error:  # handed to the reader, raised where it reads
                window.error, window.finished = error, True
            else:
                window.pages.append(page.items)
                window.next_offset = page.next_offset
                window.finished = page.next_offset is None
                self._fetch_next(window)
            self._changed.notify_all()
