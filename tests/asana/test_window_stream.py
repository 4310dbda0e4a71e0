"""Streaming date windows: the entries of one query, in its order, fetched side by side but
never more than a few pages ahead of the reader (exports of any size)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from categories.asana import AsanaUnavailable, Page, TimeEntry
from categories.asana.windows import stream_windowed

START = dt.date(2026, 1, 1)
END = dt.date(2026, 3, 31)
PAGE = 10


def entry(gid: int, day: dt.date) -> TimeEntry:
    return TimeEntry(
        gid=str(gid),
        entered_on=day,
        duration_minutes=15,
        created_by=None,
        attributable_to=None,
        categories=(),
    )


class PagedAsana:
    """Pages of a date-filtered query as Asana answers them: by date then gid, PAGE a page,
    the offset an index into the window's answer."""

    def __init__(self, entries: list[TimeEntry], *, fail_at: tuple[dt.date, int] | None = None):
        self.entries = sorted(entries, key=lambda e: (e.entered_on, int(e.gid)))
        self.fail_at = fail_at
        self.pages_fetched = 0
        self.lock = threading.Lock()

    def page(self, start: dt.date, end: dt.date, offset: str | None) -> Page[TimeEntry]:
        with self.lock:
            self.pages_fetched += 1
        index = int(offset or 0)
        if self.fail_at == (start, index):
            raise AsanaUnavailable("Service Unavailable", status=503)
        found = [e for e in self.entries if start <= e.entered_on <= end]
        chunk = found[index : index + PAGE]
        more = index + PAGE < len(found)
        return Page(chunk, str(index + PAGE) if more else None)

    def one_query(self) -> list[str]:
        return [e.gid for e in self.entries if START <= e.entered_on <= END]


def many_entries(count: int) -> list[TimeEntry]:
    days = (END - START).days + 1
    return [entry(1000 + n, START + dt.timedelta(days=(n * 7) % days)) for n in range(count)]


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


@pytest.mark.parametrize("windows", [1, 2, 5, 12])
def test_the_stream_gives_the_entries_and_order_of_one_query(pool, windows: int) -> None:
    asana = PagedAsana(many_entries(437))
    streamed = stream_windowed(asana.page, START, END, executor=pool, windows=windows)
    assert [e.gid for e in streamed] == asana.one_query()


def test_entries_on_window_edges_are_neither_lost_nor_doubled(pool) -> None:
    edges = [entry(n, day) for n, day in enumerate([START, dt.date(2026, 1, 31), END] * 25)]
    asana = PagedAsana(edges)
    streamed = [e.gid for e in stream_windowed(asana.page, START, END, executor=pool, windows=3)]
    assert sorted(streamed) == sorted(e.gid for e in edges)
    assert len(set(streamed)) == len(streamed)


def test_a_copy_outside_its_window_is_dropped(pool) -> None:
    """Asana answering a window with an entry dated elsewhere (edited meanwhile) must not
    make the entry appear twice."""
    stray = entry(1, dt.date(2026, 3, 1))
    asana = PagedAsana([stray])
    asana.page = lambda start, end, offset: Page([stray], None)  # every window returns it
    streamed = list(stream_windowed(asana.page, START, END, executor=pool, windows=3))
    assert [e.gid for e in streamed] == ["1"]


def test_fetching_stays_a_few_pages_ahead_of_a_reader_that_does_not_read(pool) -> None:
    asana = PagedAsana(many_entries(2000))  # 200 pages
    stream = stream_windowed(asana.page, START, END, executor=pool, windows=4, pages_ahead=3)
    next(stream)
    time.sleep(0.3)  # plenty of time to fetch everything, were nothing holding it back
    assert asana.pages_fetched <= 4 * 3 + 1
    assert len(list(stream)) == 1999


def test_a_failed_page_is_raised_after_the_entries_before_it(pool) -> None:
    asana = PagedAsana(many_entries(300), fail_at=(START, PAGE))  # the first window's 2nd page
    stream = stream_windowed(asana.page, START, END, executor=pool, windows=3)
    read: list[str] = []
    with pytest.raises(AsanaUnavailable):
        read.extend(item.gid for item in stream)
    assert read == asana.one_query()[:PAGE]


def test_closing_the_stream_stops_fetching(pool) -> None:
    asana = PagedAsana(many_entries(2000))
    stream = stream_windowed(asana.page, START, END, executor=pool, windows=4, pages_ahead=2)
    next(stream)
    stream.close()
    time.sleep(0.2)
    settled = asana.pages_fetched
    time.sleep(0.2)
    assert asana.pages_fetched == settled <= 4 * 2 + 1
