"""What the report screens ask for, in the domain's words. Keyword-only, typed, no HTTP.

Every figure of a category's report (totals, change, breakdowns, chart) and every row of
the overview comes from one answer: `services.entries_report` for that category and
range (cached briefly), kept to the range. So a category's report and its overview row
cannot disagree. The CSV export streams the same query from Asana page by page instead,
so that its memory does not grow with the number of entries.

Whole-report tasks (a category's heading next to its report, one report per category in
the overview) run side by side on a small pool of their own; each fans its date windows
out on the shared pool (`connection.asana_executor`). Two pools, so that no task ever
waits on the pool it runs in: with enough such waits at once, no thread would be left to
run what they wait for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db import close_old_connections

from categories import services
from categories.asana import Category, TimeEntry
from categories.connection import asana_client, asana_executor
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

# Each entries page holds two (its report and its heading) while Asana answers.
REPORT_WORKERS = 16


class _ReportPool(ThreadPoolExecutor):
    """Each task ends as a request does: database connections it opened (a database
    cache backend, say) are closed, or kept per CONN_MAX_AGE, and never left to age in a
    long-lived thread."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(_then_close_old_connections, fn, *args, **kwargs)


def _then_close_old_connections(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


# Module-level: threads are made as needed, reused across requests, bounded per process.
_REPORT_POOL = _ReportPool(max_workers=REPORT_WORKERS, thread_name_prefix="report")


class InlineExecutor(Executor):
    """Runs each task at once, in the calling thread (an Executor without threads)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # raised again where the result is read, as from a pool
            future.set_exception(error)
        return future


def report_executor() -> Executor:
    """The report pool; in demo mode the request's own thread, as for every fetch there
    (no shared pool: the sandbox answers from the request thread's database connection)."""
    return _REPORT_POOL if asana_executor() is not None else InlineExecutor()


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
    refresh: bool = False,
) -> services.EntriesReport:
    """The entries the screen lists and totals: services.entries_report, kept to the range."""
    fetched = services.entries_report(
        category_gid=category_gid, start=start, end=end, sort=sort, refresh=refresh
    )
    return _kept_to_range(fetched)


def _kept_to_range(fetched: services.EntriesReport) -> services.EntriesReport:
    entries = within_range(fetched.entries, start=fetched.start, end=fetched.end)
    return replace(fetched, entries=list(entries))


def category_report(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: services.EntrySort = services.DEFAULT_ENTRY_SORT,
    granularity: Granularity | None = None,
    refresh: bool = False,
) -> CategoryReportData:
    """The range's entries and report, with the previous period's totals.

    The previous period ends the day before the range starts, so both are fetched in one
    sweep of date windows. `granularity` groups the chart by day, week or month; None
    picks one from the range.
    """
    current, previous = (
        _kept_to_range(fetched)
        for fetched in services.entries_reports(
            category_gid=category_gid,
            spans=[(start, end), previous_period(start, end)],
            sort=sort,
            refresh=refresh,
        )
    )
    report = build_report(
        entries=current.entries, start=start, end=end, previous=Totals.of(previous.entries)
    )
    if granularity and granularity != report.granularity:
        series = time_series(current.entries, start=start, end=end, granularity=granularity)
        report = replace(report, granularity=granularity, series=tuple(series))
    return CategoryReportData(entries=current, report=report)


def iter_category_entries(
    *, category_gid: str, start: dt.date, end: dt.date
) -> Iterator[TimeEntry]:
    """The same query as `category_entries`, one entry at a time as Asana's pages arrive,
    in Asana's order and never held all at once: for exports of any size."""
    pages = asana_client().iter_category_entries(category_gid, start_date=start, end_date=end)
    return within_range(pages, start=start, end=end)


def category_breakdown(
    *, category_gid: str, start: dt.date, end: dt.date, by: BreakdownBy
) -> list[BreakdownRow]:
    """Hours per person or project, summed while the entries stream past (for a CSV)."""
    entries = iter_category_entries(category_gid=category_gid, start=start, end=end)
    return breakdown(entries, by=by)


# --- the overview ------------------------------------------------------------------------


class _ReportsClient:
    """The Asana client as the overview uses it, except that a category and its entries
    come from the answers (cached briefly) that the category's own report shows."""

    def __init__(self, *, refresh: bool) -> None:
        self._client = asana_client()
        self._refresh = refresh
        self.as_of: list[dt.datetime] = []  # of every answer used (list.append is atomic)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_category(self, gid: str) -> Category:
        return services.get_category(gid=gid, reuse=True, refresh=self._refresh)

    def iter_categories(self, *, workspace_gid: str, archived: bool = False) -> Iterator[Category]:
        listing = services.list_categories(
            workspace_gid=workspace_gid,
            state="archived" if archived else "active",
            refresh=self._refresh,
        )
        return iter(listing.categories)

    def iter_category_entries(
        self, gid: str, *, start_date: dt.date | None = None, end_date: dt.date | None = None
    ) -> Iterator[TimeEntry]:
        if start_date is None or end_date is None:
            raise ValueError("The overview always asks for a range.")
        found = category_entries(
            category_gid=gid, start=start_date, end=end_date, refresh=self._refresh
        )
        if found.as_of:
            self.as_of.append(found.as_of)
        return iter(found.entries)


@dataclass(frozen=True)
class OverviewData:
    overview: Overview
    as_of: dt.datetime | None  # of the oldest answer in it


def overview_categories(
    *, workspace_gid: str, include_archived: bool, refresh: bool = False
) -> list[Category]:
    """The categories the overview will have a row for (the categories screen's answer)."""
    return list_overview_categories(
        client=_ReportsClient(refresh=refresh),
        workspace_gid=workspace_gid,
        include_archived=include_archived,
    )


def overview(
    *,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    include_archived: bool,
    refresh: bool = False,
) -> OverviewData:
    """Hours per category; a category whose entries Asana fails to give becomes a failed
    row (in plain words), and the others still show."""
    client = _ReportsClient(refresh=refresh)
    found = overview_report(
        client=client,
        workspace_gid=workspace_gid,
        start=start,
        end=end,
        include_archived=include_archived,
        executor=report_executor(),
    )
    return OverviewData(found, min(client.as_of, default=None))


def overview_category(*, category_gid: str, start: dt.date, end: dt.date) -> CategoryHours:
    """One overview row again (a retry); its share is unknown without the other rows."""
    return category_hours(
        client=_ReportsClient(refresh=False), category_gid=category_gid, start=start, end=end
    )
