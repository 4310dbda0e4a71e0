"""The entries read model: every time entry of one category in a date range, in the
order asked for, with totals (what the entries screen lists and what its report sums).

The whole range is fetched even when the screen shows only the first hundred rows:
sorting needs every entry. Long ranges are fetched as date windows side by side on the
shared pool; answers are reused briefly from the answer cache, so "load more" and
re-sorting cost no round trip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from django.conf import settings

from categories.asana import TimeEntry
from categories.reports.calculations import within_range
from categories.web.answer_cache import cached, cached_together
from categories.web.client import asana_client
from categories.web.pool import asana_executor

EntrySort = Literal[
    "-date", "date", "person", "-person", "project", "-project", "duration", "-duration"
]
ENTRY_SORTS: tuple[EntrySort, ...] = get_args(EntrySort)
DEFAULT_ENTRY_SORT: EntrySort = "-date"


@dataclass(frozen=True)
class CategoryEntries:
    """Every entry of one category in a date range, in the order asked for, with totals."""

    category_gid: str
    start: dt.date
    end: dt.date
    entries: list[TimeEntry]
    sort: EntrySort = DEFAULT_ENTRY_SORT
    as_of: dt.datetime | None = None

    @property
    def total_minutes(self) -> int:
        return sum(entry.duration_minutes for entry in self.entries)

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    def rows(self, *, first: int = 0, last: int | None = None) -> list[TimeEntry]:
        """A slice of the sorted entries: what one screenful (or "load more") shows."""
        return self.entries[first:last]


def entries_for_category(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    refresh: bool = False,
) -> CategoryEntries:
    """All of Asana's pages for the range; the totals are the sum of exactly these.

    Sorting needs every entry, so the whole range is fetched even when the screen shows
    only the first hundred rows. Long ranges are fetched as date windows side by side;
    the answer is reused briefly (so "load more" and re-sorting cost no round trip).
    """
    (found,) = entries_for_ranges(
        category_gid=category_gid, spans=[(start, end)], sort=sort, refresh=refresh
    )
    return found


def entries_for_ranges(
    *,
    category_gid: str,
    spans: Sequence[tuple[dt.date, dt.date]],
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    refresh: bool = False,
) -> list[CategoryEntries]:
    """`entries_for_category` for several ranges of one category, in the order given.

    The ranges not cached are fetched in one sweep of date windows over the days they
    span, and each keeps its own entries: a range and the period before it (the change
    on the entries screen) cost one set of concurrent requests, not two. Ranges with days
    between them are fetched apart (one after another), so those days are never asked for.
    """

    def fetch(missing: list[int]) -> list[list[TimeEntry]]:
        return _fetch_ranges(category_gid, [spans[index] for index in missing])

    answers = cached_together(
        workspace_gid="",
        what="entries",
        params=[(category_gid, start.isoformat(), end.isoformat()) for start, end in spans],
        fetch=fetch,
        refresh=refresh,
    )
    return [
        CategoryEntries(
            category_gid=category_gid,
            start=start,
            end=end,
            entries=sort_entries(list(within_range(fresh.value, start=start, end=end)), sort=sort),
            sort=sort,
            as_of=fresh.as_of,
        )
        for (start, end), fresh in zip(spans, answers, strict=True)
    ]


def _fetch_ranges(category_gid: str, spans: list[tuple[dt.date, dt.date]]) -> list[list[TimeEntry]]:
    if not _without_gaps(spans):
        return [_fetch_range(category_gid=category_gid, start=s, end=e) for s, e in spans]
    fetched = _fetch_range(
        category_gid=category_gid,
        start=min(start for start, _ in spans),
        end=max(end for _, end in spans),
    )
    return [
        [entry for entry in fetched if start <= entry.entered_on <= end] for start, end in spans
    ]


def _without_gaps(spans: list[tuple[dt.date, dt.date]]) -> bool:
    """Whether the ranges together cover every day from the first start to the last end
    (they adjoin or overlap), so one query over those days asks for nothing extra."""
    ordered = sorted(spans)
    covered_until = ordered[0][1]
    for start, end in ordered[1:]:
        if start > covered_until + dt.timedelta(days=1):
            return False
        covered_until = max(covered_until, end)
    return True


# One window per fortnight of the range, at most this many: enough to fetch a two-year
# report in a few round trips, few enough to stay far inside Asana's concurrency limit.
MAX_DATE_WINDOWS = 12
DAYS_PER_WINDOW = 14


def date_windows_for(start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    return max(1, min(MAX_DATE_WINDOWS, -(-days // DAYS_PER_WINDOW)))


def _fetch_range(*, category_gid: str, start: dt.date, end: dt.date) -> list[TimeEntry]:
    """Raises TooManyPages past ASANA_MAX_REQUESTS_PER_VIEW: one page view must not spend
    the token's budget that every other person shares."""
    return asana_client().collect_category_entries(
        category_gid,
        start_date=start,
        end_date=end,
        executor=asana_executor(),
        windows=date_windows_for(start, end),
        max_pages=settings.ASANA_MAX_REQUESTS_PER_VIEW,
    )


def sort_entries(entries: list[TimeEntry], *, sort: EntrySort) -> list[TimeEntry]:
    """Sorted by one column. Ties (and the default) are newest first; entries without a
    person or project come last in either direction, as "no value" is not a value."""
    newest_first = sorted(entries, key=lambda e: (e.entered_on, e.gid), reverse=True)
    column = sort.removeprefix("-")
    descending = sort.startswith("-")
    if column == "date":
        return newest_first if descending else newest_first[::-1]
    if column == "duration":
        # Python's sort is stable even with reverse=True: ties keep the newest-first order.
        return sorted(newest_first, key=lambda e: e.duration_minutes, reverse=descending)
    label = _ENTRY_LABELS[column]
    with_value = [e for e in newest_first if label(e)]
    without_value = [e for e in newest_first if not label(e)]
    ordered = sorted(with_value, key=lambda e: label(e).casefold(), reverse=descending)
    return ordered + without_value


def _person_name(entry: TimeEntry) -> str:
    return entry.created_by.name if entry.created_by else ""


def _project_name(entry: TimeEntry) -> str:
    return entry.attributable_to.name if entry.attributable_to else ""


_ENTRY_LABELS: dict[str, Callable[[TimeEntry], str]] = {
    "person": _person_name,
    "project": _project_name,
}


# --- the whole workspace: one sweep behind every cross-category view ---------------------


@dataclass(frozen=True)
class WorkspaceEntries:
    """Every entry of a workspace in a date range, with or without a category."""

    workspace_gid: str
    start: dt.date
    end: dt.date
    entries: list[TimeEntry]
    as_of: dt.datetime | None = None


def entries_for_workspace(
    *, workspace_gid: str, start: dt.date, end: dt.date, refresh: bool = False
) -> WorkspaceEntries:
    """The workspace listing of the range, in date windows side by side: what it costs
    follows the number of entries (a page per 100, plus one per window), not the number of
    categories. Raises AsanaForbidden where the token may not list the workspace's entries
    (the caller falls back to one query per category), TooManyPages past the ceiling."""
    fresh = cached(
        workspace_gid=workspace_gid,
        what="workspace-entries",
        params=(start.isoformat(), end.isoformat()),
        fetch=lambda: asana_client().collect_workspace_entries(
            workspace_gid=workspace_gid,
            start_date=start,
            end_date=end,
            executor=asana_executor(),
            windows=date_windows_for(start, end),
            max_pages=settings.ASANA_MAX_REQUESTS_PER_VIEW,
        ),
        refresh=refresh,
    )
    entries = list(within_range(fresh.value, start=start, end=end))
    return WorkspaceEntries(workspace_gid, start, end, entries, fresh.as_of)
