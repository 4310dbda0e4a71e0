"""What the report screens read: a category's entries with the summary above them, the
streams behind the CSV exports, and the workspace overview (hours per category).

Whole-report tasks (a category's heading next to its report, one report per category in
the overview) run side by side on the task pool (`categories.web.pool`); each fans its
date windows out on the shared Asana pool. A category whose entries Asana fails to give
becomes a failed overview row, in plain words, and the others still show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace

from categories import selectors as category_selectors
from categories.asana import AsanaError, AsanaForbidden, Category, TimeEntry
from categories.reports.calculations import (
    BreakdownBy,
    BreakdownRow,
    CategoryHours,
    CategoryLoad,
    CategorySummary,
    Granularity,
    Narrowing,
    NarrowingChoices,
    Overview,
    TeamMatrix,
    Totals,
    breakdown,
    build_overview,
    build_summary,
    hours_row,
    loads_by_category,
    previous_period,
    team_matrix,
    time_series,
    within_range,
    without_category,
)
from categories.reports.entries import (
    DEFAULT_ENTRY_SORT,
    CategoryEntries,
    EntrySort,
    date_windows_for,
    entries_for_category,
    entries_for_ranges,
    entries_for_workspace,
    sort_entries,
)
from categories.web.client import asana_client
from categories.web.pool import asana_executor, task_executor
from categories.web.problems import describe

# --- one category ------------------------------------------------------------------------


NO_NARROWING = Narrowing()
NO_CHOICES = NarrowingChoices()


@dataclass(frozen=True)
class CategoryReport:
    """A category's entries for the range (sorted, for the table) and the summary of them,
    both of the chosen person and project; the filters' options are from every entry."""

    entries: CategoryEntries
    summary: CategorySummary
    choices: NarrowingChoices = NO_CHOICES


def category_report(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    granularity: Granularity | None = None,
    refresh: bool = False,
    narrowing: Narrowing = NO_NARROWING,
) -> CategoryReport:
    """The range's entries and their summary, with the previous period's totals.

    The previous period ends the day before the range starts, so both are fetched in one
    sweep of date windows. `granularity` groups the chart by day, week or month; None
    picks one from the range. `narrowing` keeps one person's and/or one project's entries
    in both periods (the change compares like with like).
    """
    everyone, before = entries_for_ranges(
        category_gid=category_gid,
        spans=[(start, end), previous_period(start, end)],
        sort=sort,
        refresh=refresh,
    )
    current = replace(everyone, entries=narrowing.applied(everyone.entries))
    previous = narrowing.applied(before.entries)
    summary = build_summary(
        entries=current.entries, start=start, end=end, previous=Totals.of(previous)
    )
    if granularity and granularity != summary.granularity:
        series = time_series(current.entries, start=start, end=end, granularity=granularity)
        summary = replace(summary, granularity=granularity, series=tuple(series))
    choices = NarrowingChoices.of(everyone.entries)
    return CategoryReport(entries=current, summary=summary, choices=choices)


def entries_narrowed(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    narrowing: Narrowing = NO_NARROWING,
) -> CategoryEntries:
    """The category's entries of the chosen person and project (the table's next rows)."""
    found = entries_for_category(category_gid=category_gid, start=start, end=end, sort=sort)
    return replace(found, entries=narrowing.applied(found.entries))


def entries_streamed(
    *, category_gid: str, start: dt.date, end: dt.date, narrowing: Narrowing = NO_NARROWING
) -> Iterator[TimeEntry]:
    """The same entries as `entries_for_category` (of the chosen person and project), in
    Asana's order, one at a time as pages arrive and never held all at once (exports of
    any size): the same concurrent date windows as the screens, each a few pages ahead of
    the download."""
    entries = asana_client().stream_category_entries(
        category_gid,
        start_date=start,
        end_date=end,
        executor=asana_executor(),
        windows=date_windows_for(start, end),
    )
    return narrowing.streamed(within_range(entries, start=start, end=end))


def breakdown_for_category(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    by: BreakdownBy,
    narrowing: Narrowing = NO_NARROWING,
) -> list[BreakdownRow]:
    """Hours per person or project, summed while the entries stream past (for a CSV)."""
    entries = entries_streamed(category_gid=category_gid, start=start, end=end, narrowing=narrowing)
    return breakdown(entries, by=by)


# --- the overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceOverview:
    overview: Overview
    as_of: dt.datetime | None  # of the oldest answer in it
    # Set when the workspace listing was refused and each category was asked on its own:
    # why time with no category cannot be shown.
    fallback_reason: str = ""
    # Who logged time in the range and on which projects: the filters' options.
    choices: NarrowingChoices = NO_CHOICES


def overview_category_list(
    *, workspace_gid: str, include_archived: bool, refresh: bool = False
) -> list[Category]:
    """The categories the overview has a row for: active ones, then archived ones on
    request (the categories screen's answers); each gid once, its archived flag set.

    An AsanaError here propagates: without the list there is no overview to show.
    """
    found: dict[str, Category] = {}
    for state in ("active", "archived") if include_archived else ("active",):
        listing = category_selectors.category_list(
            workspace_gid=workspace_gid, state=state, refresh=refresh
        )
        for category in listing.categories:
            # A category archived between the two queries would come twice.
            found.setdefault(category.gid, category)
    return list(found.values())


def overview_for_workspace(
    *,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    include_archived: bool,
    refresh: bool = False,
    narrowing: Narrowing = NO_NARROWING,
) -> WorkspaceOverview:
    """Hours per category, and with no category, from one sweep of the workspace's entries
    (its cost follows the entries, not the categories). Archived categories that hold time
    in the range are shown (as archived) even when archived ones were not asked for.

    Where the token may not list the workspace's entries (403), each category is asked on
    its own instead, and the answer says why time with no category is missing.
    `narrowing` keeps one person's and/or one project's time, in the rows, the totals and
    the charts alike.
    """
    try:
        sweep = entries_narrowed_for_workspace(
            workspace_gid=workspace_gid, start=start, end=end, narrowing=narrowing, refresh=refresh
        )
    except AsanaForbidden as error:
        fallback = _overview_per_category(
            workspace_gid=workspace_gid,
            start=start,
            end=end,
            include_archived=include_archived,
            refresh=refresh,
            narrowing=narrowing,
        )
        reason = (
            "Time with no category is not shown: Asana refused this token the workspace's "
            f"list of time entries ({describe(error).detail}), so each category was asked "
            "on its own, and those questions cannot see time that has no category."
        )
        return replace(fallback, fallback_reason=reason)
    categories = overview_category_list(
        workspace_gid=workspace_gid, include_archived=True, refresh=refresh
    )
    entries = sweep.entries
    loads = [
        load
        for load in loads_by_category(entries, categories)
        if include_archived or not load.category.is_archived or load.entries
    ]
    overview = replace(
        build_overview(loads, start=start, end=end),
        uncategorised=Totals.of(without_category(entries)),
    )
    return WorkspaceOverview(overview, sweep.as_of, choices=sweep.choices)


@dataclass(frozen=True)
class NarrowedEntries:
    """Entries of the range kept by the filters, and the filters' options (from every
    entry of the range, so another person can be chosen)."""

    entries: list[TimeEntry]
    choices: NarrowingChoices
    as_of: dt.datetime | None = None


def entries_narrowed_for_workspace(
    *,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    narrowing: Narrowing = NO_NARROWING,
    refresh: bool = False,
) -> NarrowedEntries:
    """The one sweep behind the overview, the team and the time with no category, kept
    to the chosen person and project."""
    sweep = entries_for_workspace(
        workspace_gid=workspace_gid, start=start, end=end, refresh=refresh
    )
    choices = NarrowingChoices.of(sweep.entries)
    return NarrowedEntries(narrowing.applied(sweep.entries), choices, sweep.as_of)


@dataclass(frozen=True)
class TeamReport:
    matrix: TeamMatrix
    choices: NarrowingChoices
    as_of: dt.datetime | None


def team_for_workspace(
    *, workspace_gid: str, start: dt.date, end: dt.date, narrowing: Narrowing = NO_NARROWING
) -> TeamReport:
    """People x categories for the range, from the same sweep as the overview."""
    found = entries_narrowed_for_workspace(
        workspace_gid=workspace_gid, start=start, end=end, narrowing=narrowing
    )
    return TeamReport(team_matrix(found.entries), found.choices, found.as_of)


def uncategorised_entries(
    *, workspace_gid: str, start: dt.date, end: dt.date, narrowing: Narrowing = NO_NARROWING
) -> NarrowedEntries:
    """The range's entries that have no category, newest first."""
    found = entries_narrowed_for_workspace(
        workspace_gid=workspace_gid, start=start, end=end, narrowing=narrowing
    )
    entries = sort_entries(without_category(found.entries), sort="-date")
    return replace(found, entries=entries)


def _overview_per_category(
    *,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    include_archived: bool,
    refresh: bool = False,
    narrowing: Narrowing = NO_NARROWING,
) -> WorkspaceOverview:
    """Hours per category, each category's entries fetched as its own task.

    Totals per row are the sums of exactly the entries the category's own report shows
    (the same cached answers); a category whose fetch fails becomes a failed row.
    """
    categories = overview_category_list(
        workspace_gid=workspace_gid, include_archived=include_archived, refresh=refresh
    )
    executor = task_executor()
    futures = [
        (category, executor.submit(_entries_of, category.gid, start, end, refresh))
        for category in categories
    ]
    loaded = [_load(category, future) for category, future in futures]
    everyone = [entry for load, _ in loaded for entry in load.entries]
    loads = [replace(load, entries=tuple(narrowing.applied(load.entries))) for load, _ in loaded]
    overview = build_overview(loads, start=start, end=end)
    as_of = min((found for _, found in loaded if found is not None), default=None)
    return WorkspaceOverview(overview, as_of, choices=NarrowingChoices.of(everyone))


def overview_row_for_category(
    *, category_gid: str, start: dt.date, end: dt.date, narrowing: Narrowing = NO_NARROWING
) -> CategoryHours:
    """One overview row again (a retry); its share is unknown without the other rows."""
    # The name stays unknown if Asana fails now; the page still has it from the first load.
    category = Category(gid=category_gid, name="", color="none")
    try:
        category = category_selectors.category_get(gid=category_gid, reuse=True)
        found = _entries_of(category_gid, start, end, refresh=False)
    except AsanaError as error:
        return hours_row(CategoryLoad(category, error=describe(error).detail))
    return hours_row(CategoryLoad(category, tuple(narrowing.applied(found.entries))))


@dataclass(frozen=True)
class _Fetched:
    entries: tuple[TimeEntry, ...]
    as_of: dt.datetime | None


def _entries_of(gid: str, start: dt.date, end: dt.date, refresh: bool) -> _Fetched:
    # Every page is fetched inside the task, so any failure raises there.
    found = entries_for_category(category_gid=gid, start=start, end=end, refresh=refresh)
    return _Fetched(tuple(found.entries), found.as_of)


def _load(category: Category, future: Future[_Fetched]) -> tuple[CategoryLoad, dt.datetime | None]:
    try:
        fetched = future.result()
    except AsanaError as error:
        return CategoryLoad(category, error=describe(error).detail), None
    return CategoryLoad(category, fetched.entries), fetched.as_of
