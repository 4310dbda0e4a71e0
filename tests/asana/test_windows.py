"""The windowed fetch gives exactly the entries, in the order, of one sequential query."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from categories.asana.resources import TimeEntry
from categories.asana.windows import fetch_windowed, split_range

START = dt.date(2026, 1, 1)


def entry(gid: int, day: dt.date) -> TimeEntry:
    return TimeEntry(
        gid=str(gid),
        entered_on=day,
        duration_minutes=15,
        created_by=None,
        attributable_to=None,
        categories=(),
    )


class FakeAsana:
    """Answers a date-filtered query like Asana: by entered_on, then gid, inclusive dates."""

    def __init__(self, entries: list[TimeEntry]) -> None:
        self.entries = sorted(entries, key=lambda e: (e.entered_on, int(e.gid)))
        self.queries: list[tuple[dt.date, dt.date]] = []
        self._lock = threading.Lock()

    def fetch(self, start: dt.date, end: dt.date) -> Iterator[TimeEntry]:
        with self._lock:
            self.queries.append((start, end))
        return iter([e for e in self.entries if start <= e.entered_on <= end])


@pytest.fixture(scope="module")
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield pool


def windows_of(start: dt.date, end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    return split_range(start, end, windows=count)


def test_windows_are_contiguous_disjoint_and_cover_the_range() -> None:
    end = START + dt.timedelta(days=99)

    windows = windows_of(START, end, 7)

    assert windows[0][0] == START
    assert windows[-1][1] == end
    for (_, previous_end), (next_start, _) in itertools.pairwise(windows):
        assert next_start == previous_end + dt.timedelta(days=1)
    assert sum((e - s).days + 1 for s, e in windows) == 100


def test_never_more_windows_than_days() -> None:
    assert windows_of(START, START + dt.timedelta(days=2), 10) == [
        (START, START),
        (START + dt.timedelta(days=1), START + dt.timedelta(days=1)),
        (START + dt.timedelta(days=2), START + dt.timedelta(days=2)),
    ]


def test_a_range_that_ends_before_it_starts_has_no_windows() -> None:
    assert windows_of(START, START - dt.timedelta(days=1), 4) == []


def assert_same_as_sequential(fake: FakeAsana, end: dt.date, executor, windows: int) -> None:
    sequential = list(fake.fetch(START, end))

    windowed = fetch_windowed(fake.fetch, START, end, executor=executor, windows=windows)

    assert [e.gid for e in windowed] == [e.gid for e in sequential]


def test_entries_on_every_window_boundary_are_neither_lost_nor_doubled(executor) -> None:
    end = START + dt.timedelta(days=59)
    boundaries = {day for window in windows_of(START, end, 6) for day in window}
    fake = FakeAsana([entry(i, day) for i, day in enumerate(sorted(boundaries) * 3)])

    assert_same_as_sequential(fake, end, executor, windows=6)


def test_empty_windows_are_fine(executor) -> None:
    end = START + dt.timedelta(days=89)
    fake = FakeAsana([entry(1, START), entry(2, end)])

    assert_same_as_sequential(fake, end, executor, windows=9)


def test_one_window_holding_most_entries_keeps_their_order(executor) -> None:
    end = START + dt.timedelta(days=364)
    busy_day = START + dt.timedelta(days=200)
    crowd = [entry(1000 + i, busy_day) for i in range(450)]
    fake = FakeAsana([*crowd, entry(1, START), entry(2, end)])

    assert_same_as_sequential(fake, end, executor, windows=12)


def test_every_window_is_queried_once(executor) -> None:
    end = START + dt.timedelta(days=29)
    fake = FakeAsana([])

    fetch_windowed(fake.fetch, START, end, executor=executor, windows=5)

    assert sorted(fake.queries) == windows_of(START, end, 5)


def test_an_entry_moved_into_a_later_window_meanwhile_is_kept_once(executor) -> None:
    end = START + dt.timedelta(days=9)
    moved = entry(7, START)
    fake = FakeAsana([moved])
    # The entry's date is edited while the windows are fetched: both windows see it.
    fake.fetch = lambda s, e: iter([moved])  # type: ignore[method-assign]

    merged = fetch_windowed(fake.fetch, START, end, executor=executor, windows=2)

    assert [e.gid for e in merged] == ["7"]


def test_a_failing_window_fails_the_whole_fetch(executor) -> None:
    def fetch(start: dt.date, end: dt.date) -> Iterator[TimeEntry]:
        if start > START:
            raise RuntimeError("Asana is down")
        return iter([])

    with pytest.raises(RuntimeError, match="Asana is down"):
        fetch_windowed(fetch, START, START + dt.timedelta(days=9), executor=executor, windows=2)


def test_windowed_sandbox_fetch_equals_the_sequential_one(transactional_db, executor) -> None:
    from categories.sandbox.seed import seed_demo_data
    from categories.web.client import asana_client

    # Committed: the pool's threads read the sandbox through connections of their own, so
    # data seeded inside a test transaction (after a flush by an earlier test) is unseen.
    seed_demo_data()
    client = asana_client()
    end = dt.date.today()
    start = end - dt.timedelta(days=729)
    engineering = "1209000000000001"

    sequential = client.collect_category_entries(engineering, start_date=start, end_date=end)
    windowed = client.collect_category_entries(
        engineering, start_date=start, end_date=end, executor=executor, windows=16
    )

    assert len(sequential) > 2300
    assert [e.gid for e in windowed] == [e.gid for e in sequential]
