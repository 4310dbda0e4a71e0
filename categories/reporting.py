"""What the report screens ask for, in the domain's words. Keyword-only, typed, no HTTP.

Every figure of a category's report (totals, change, breakdowns, chart, CSV) and of the
overview comes from one kind of fetch: the category's entries for the range as Asana
lists them, kept to the range (`reports.within_range`). So they all agree, in minutes.

Independent fetches (the previous period, one per category in the overview) run on one
bounded, process-wide pool: a page waits for its slowest fetch, not for their sum, and
however many people open reports at once, this process never has more than
`FETCH_WORKERS` requests in flight to Asana (which allows 50 concurrent reads per token).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

from categories import services
from categories.asana import Category, TimeEntry
from categories.connection import asana_client
from categories.overview import category_hours, list_overview_categories, overview_report
from categories.reports import (
    BreakdownBy,
    BreakdownRow,
    CategoryHours,
    CategoryReport,
    Granularity,
    Overview,
    Totals,
    breakdown,
    build_report,
    previous_period,
    time_series,
    within_range,
)

T = TypeVar("T")

FETCH_WORKERS = 16
# Module-level: threads are reused across requests and the bound holds process-wide.
POOL = ThreadPoolExecutor(max_workers=FETCH_WORKERS, thread_name_prefix="report")


class InlineExecutor(Executor):
    """Runs each task at once, in the calling thread (an Executor without threads)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # raised again where the result is read, as from a pool
            future.set_exception(error)
        return future


def fetch_executor() -> Executor:
    """The pool, except where the offline sandbox answers from an in-memory SQLite
    database (the test suite's): that database is private to the connection that holds
    the test's transaction, so a pool thread would see no data, or find it locked."""
    if settings.DEMO_MODE and connection.vendor == "sqlite" and connection.is_in_memory_db():
        return InlineExecutor()
    return POOL


# --- one category ------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryReportData:
    """A category's entries for the range (sorted, for the table) and the report on them."""

    entries: services.EntriesReport
    report: CategoryReport


def category_entries(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: services.EntrySort = services.DEFAULT_ENTRY_SORT,
) -> services.EntriesReport:
    """The entries the screen lists and totals: services.entries_report, kept to the range."""
    fetched = services.entries_report(category_gid=category_gid, start=start, end=end, sort=sort)
    return replace(fetched, entries=list(within_range(fetched.entries, start=start, end=end)))


def category_report(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: services.EntrySort = services.DEFAULT_ENTRY_SORT,
    granularity: Granularity | None = None,
) -> CategoryReportData:
    """The range's entries and report; the previous period's totals are fetched alongside.

    `granularity` groups the chart by day, week or month; None picks one from the range.
    """
    previous_start, previous_end = previous_period(start, end)
    previous = fetch_executor().submit(
        _totals, category_gid=category_gid, start=previous_start, end=previous_end
    )
    current = category_entries(category_gid=category_gid, start=start, end=end, sort=sort)
    report = build_report(entries=current.entries, start=start, end=end, previous=previous.result())
    if granularity and granularity != report.granularity:
        series = time_series(current.entries, start=start, end=end, granularity=granularity)
        report = replace(report, granularity=granularity, series=tuple(series))
    return CategoryReportData(entries=current, report=report)


def _totals(*, category_gid: str, start: dt.date, end: dt.date) -> Totals:
    return Totals.of(category_entries(category_gid=category_gid, start=start, end=end).entries)


def iter_category_entries(
    *, category_gid: str, start: dt.date, end: dt.date
) -> Iterator[TimeEntry]:
    """The same entries as `category_entries`, one at a time as Asana's pages arrive, in
    Asana's order: for exports, whose memory must not grow with the number of entries."""
    pages = asana_client().iter_category_entries(category_gid, start_date=start, end_date=end)
    return within_range(pages, start=start, end=end)


def category_breakdown(
    *, category_gid: str, start: dt.date, end: dt.date, by: BreakdownBy
) -> list[BreakdownRow]:
    """Hours per person or project, summed while the entries stream past (for a CSV)."""
    entries = iter_category_entries(category_gid=category_gid, start=start, end=end)
    return breakdown(entries, by=by)


# --- the overview ------------------------------------------------------------------------


class _InRangeClient:
    """The Asana client, with each category's entries kept to the range asked for, as on
    the category's own report: an overview row then sums exactly what that report sums."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def iter_category_entries(
        self, gid: str, *, start_date: dt.date | None = None, end_date: dt.date | None = None
    ) -> Iterator[TimeEntry]:
        entries = self._client.iter_category_entries(gid, start_date=start_date, end_date=end_date)
        if start_date is None or end_date is None:
            return entries
        return within_range(entries, start=start_date, end=end_date)


def overview_categories(*, workspace_gid: str, include_archived: bool) -> list[Category]:
    """The categories the overview will have a row for (one quick request, or two)."""
    return list_overview_categories(
        client=asana_client(), workspace_gid=workspace_gid, include_archived=include_archived
    )


def overview(
    *, workspace_gid: str, start: dt.date, end: dt.date, include_archived: bool
) -> Overview:
    """Hours per category; a category Asana fails to list becomes a failed row."""
    return overview_report(
        client=_InRangeClient(asana_client()),
        workspace_gid=workspace_gid,
        start=start,
        end=end,
        include_archived=include_archived,
        executor=fetch_executor(),
    )


def overview_category(*, category_gid: str, start: dt.date, end: dt.date) -> CategoryHours:
    """One overview row again (a retry); its share is unknown without the other rows."""
    return category_hours(
        client=_InRangeClient(asana_client()), category_gid=category_gid, start=start, end=end
    )
