"""(d) Peak memory of the CSV export: synthetic pages fetched as the export fetches Asana's
(concurrent date windows, a few pages ahead of the reader) and written line by line."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HISTORY_DAYS = 730
PAGE_SIZE = 100


class CountingSink:
    """A file-like sink that keeps nothing but the number of characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def synthetic_entries(
    count: int, *, last_day: dt.date, first: int = 0, within: tuple[dt.date, dt.date] | None = None
) -> Iterator[tuple[int, Any]]:
    """(index, TimeEntry) for `first`..`count - 1`, made one at a time (never a list of
    them); with `within`, only those dated in that window (the others are never made)."""
    from categories.asana import Category, Reference, TimeEntry

    people = [Reference(gid=f"1202{i:012d}", name=f"Person {i} “Ünïcode”") for i in range(8)]
    projects = [Reference(gid=f"1203{i:012d}", name=f"=Project {i}, with comma") for i in range(6)]
    category = Category(gid="1209000000000001", name="Engineering", color="blue")
    # Entry i is dated `i % HISTORY_DAYS` days before last_day.
    low, high = (
        (0, HISTORY_DAYS - 1)
        if within is None
        else (
            (last_day - within[1]).days,
            (last_day - within[0]).days,
        )
    )
    for index in range(first, count):
        if not low <= index % HISTORY_DAYS <= high:
            continue
        yield (
            index,
            TimeEntry(
                gid=str(1_300_000_000_000_000 + index),
                entered_on=last_day - dt.timedelta(days=index % HISTORY_DAYS),
                duration_minutes=15 * (1 + index % 32),
                created_by=people[index % len(people)],
                attributable_to=projects[index % len(projects)] if index % 7 else None,
                categories=(category,),
            ),
        )


class SyntheticPages:
    """`count` entries over the 730 days up to `last_day`, served a page at a time per date
    window as Asana serves them (made as asked for, never all held)."""

    def __init__(self, count: int, *, last_day: dt.date) -> None:
        self.count, self.last_day = count, last_day

    def page(self, start: dt.date, end: dt.date, offset: str | None) -> Any:
        from categories.asana import Page

        found = []
        entries = synthetic_entries(
            self.count, last_day=self.last_day, first=int(offset or 0), within=(start, end)
        )
        for index, entry in entries:
            found.append(entry)
            if len(found) == PAGE_SIZE:
                more = index + 1 < self.count
                return Page(found, str(index + 1) if more else None)
        return Page(found, None)


def export_peak_bytes(count: int, *, last_day: dt.date) -> tuple[int, int]:
    """Peak traced memory while exporting `count` entries to a sink, and the chars written."""
    from categories.asana.windows import stream_windowed
    from categories.reports import exports
    from categories.reports.entries import date_windows_for

    start = last_day - dt.timedelta(days=HISTORY_DAYS - 1)
    pages = SyntheticPages(count, last_day=last_day)
    sink = CountingSink()
    with ThreadPoolExecutor(max_workers=16) as pool:
        tracemalloc.start()
        try:
            entries = stream_windowed(
                pages.page,
                start,
                last_day,
                executor=pool,
                windows=date_windows_for(start, last_day),
            )
            for line in exports.csv_lines(exports.entries_table(entries)):
                sink.write(line)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak, sink.chars
