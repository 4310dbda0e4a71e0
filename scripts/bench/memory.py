"""(d) Peak memory of the CSV export over lazily generated synthetic entries."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from typing import Any


class CountingSink:
    """A file-like sink that keeps nothing but the number of characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def synthetic_entries(count: int, *, last_day: dt.date) -> Iterator[Any]:
    """`count` TimeEntry records, made one at a time (never a list of them)."""
    from categories.asana import Category, Reference, TimeEntry

    people = [Reference(gid=f"1202{i:012d}", name=f"Person {i} “Ünïcode”") for i in range(8)]
    projects = [Reference(gid=f"1203{i:012d}", name=f"=Project {i}, with comma") for i in range(6)]
    category = Category(gid="1209000000000001", name="Engineering", color="blue")
    for index in range(count):
        yield TimeEntry(
            gid=str(1_300_000_000_000_000 + index),
            entered_on=last_day - dt.timedelta(days=index % 730),
            duration_minutes=15 * (1 + index % 32),
            created_by=people[index % len(people)],
            attributable_to=projects[index % len(projects)] if index % 7 else None,
            categories=(category,),
        )


def export_peak_bytes(count: int, *, last_day: dt.date) -> tuple[int, int]:
    """Peak traced memory while exporting `count` entries to a sink, and the chars written."""
    from categories.reports import exports

    sink = CountingSink()
    tracemalloc.start()
    try:
        for line in exports.entries_csv_rows(synthetic_entries(count, last_day=last_day)):
            sink.write(line)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, sink.chars
