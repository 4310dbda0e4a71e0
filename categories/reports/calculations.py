"""Report calculations: totals, comparisons, breakdowns, time series and chart data.

Pure functions over `TimeEntry` values: no HTTP, no Django, nothing of the project but
`categories.asana`'s records. Minutes are the exact unit everywhere; hours are a rounded
view of minutes (2 places, half up), so every figure that has to agree (totals,
breakdowns, series, CSV) agrees exactly in minutes and each hours figure is that minute
count, rounded once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, Protocol, TypeVar, get_args

from categories.asana import Category, Reference, TimeEntry

Granularity = Literal["day", "week", "month", "quarter", "year"]
BreakdownBy = Literal["person", "project"]
SortKey = Literal["hours", "name", "entries"]
Direction = Literal["up", "down", "same"]
Status = Literal["ok", "failed"]

HOURS_PLACES = Decimal("0.01")
PERCENT_PLACES = Decimal("0.1")
# Longest range (in days) charted by day, week, month by default; beyond that, by quarter.
DAY_GRANULARITY_MAX_DAYS = 31
WEEK_GRANULARITY_MAX_DAYS = 26 * 7
MONTH_GRANULARITY_MAX_DAYS = 3 * 366
# A grouping is offered only while the range has at most this many of its periods: a
# chart (and its table) of thousands of points helps nobody and weighs megabytes.
MAX_SERIES_POINTS = 120
PERIOD_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}

UNKNOWN_PERSON = "(unknown person)"
NO_PROJECT = "(no project)"
UNNAMED_CATEGORY = "(unnamed category)"

ONE_DAY = dt.timedelta(days=1)


def minutes_to_hours(minutes: int) -> Decimal:
    """Hours with 2 places, rounded half up (the one rounding rule of every report)."""
    return (Decimal(minutes) / 60).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


class _InHours:
    """Adds `hours`, derived from `minutes`, so the two can never disagree."""

    minutes: int

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


# --- ranges ----------------------------------------------------------------------------


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError(f"The range ends ({end}) before it starts ({start}).")


def range_days(start: dt.date, end: dt.date) -> int:
    """Days in the inclusive range start..end."""
    _check_range(start, end)
    return (end - start).days + 1


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of the same length that ends the day before `start`."""
    days = range_days(start, end)
    previous_end = start - ONE_DAY
    return previous_end - dt.timedelta(days=days - 1), previous_end


def within_range(
    entries: Iterable[TimeEntry], *, start: dt.date, end: dt.date
) -> Iterator[TimeEntry]:
    """The entries entered on start..end, lazily (safe for a streamed export too).

    Asana filters on `entered_on` already; applying this once where entries are fetched,
    for the page and the CSV alike, guarantees both see the same entries.
    """
    return (entry for entry in entries if start <= entry.entered_on <= end)


# --- totals and their change -----------------------------------------------------------


@dataclass(frozen=True)
class Totals(_InHours):
    entries: int
    minutes: int

    @classmethod
    def of(cls, entries: Iterable[TimeEntry]) -> Totals:
        count = minutes = 0
        for entry in entries:
            count += 1
            minutes += entry.duration_minutes
        return cls(entries=count, minutes=minutes)


@dataclass(frozen=True)
class Change(_InHours):
    """Current minus previous: `hours` is the signed absolute change."""

    minutes: int
    entries: int
    # None when the previous period had no time: there is no base to compare against.
    percent: Decimal | None
    direction: Direction


def compare(current: Totals, previous: Totals) -> Change:
    delta = current.minutes - previous.minutes
    percent = None
    if previous.minutes:
        percent = (Decimal(delta * 100) / previous.minutes).quantize(
            PERCENT_PLACES, rounding=ROUND_HALF_UP
        )
    direction: Direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    return Change(
        minutes=delta,
        entries=current.entries - previous.entries,
        percent=percent,
        direction=direction,
    )


# --- rows: breakdowns and overview share one shape -------------------------------------


class Row(Protocol):
    """What sorting, bar charts and breakdown CSVs need from a row."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def minutes(self) -> int: ...
    @property
    def entries(self) -> int: ...
    @property
    def share(self) -> float | None: ...
    @property
    def hours(self) -> Decimal: ...


R = TypeVar("R", bound=Row)


def share_of(minutes: int, total_minutes: int) -> float:
    """A fraction of the total (0.0 for an empty total): shares of one table sum to ~1."""
    return minutes / total_minutes if total_minutes else 0.0


def sort_breakdown(
    rows: Iterable[R], *, key: SortKey = "hours", descending: bool = True
) -> list[R]:
    """Rows sorted by hours, name or entry count; ties always by name A-Z.

    Works on any `Row`: person/project breakdowns and the overview's category rows.
    """
    by_name = sorted(rows, key=lambda row: (row.label.casefold(), row.key))
    if key == "name":
        return by_name[::-1] if descending else by_name
    # Hours order is minute order (exact); a stable sort keeps the name order in ties.
    measure = (lambda row: row.minutes) if key == "hours" else (lambda row: row.entries)
    return sorted(by_name, key=measure, reverse=descending)


@dataclass(frozen=True)
class BreakdownRow(_InHours):
    key: str  # the person's or project's gid; "" for entries without one
    label: str
    minutes: int
    entries: int
    share: float


def _reference(entry: TimeEntry, by: BreakdownBy) -> Reference | None:
    return entry.created_by if by == "person" else entry.attributable_to


def breakdown(entries: Iterable[TimeEntry], *, by: BreakdownBy) -> list[BreakdownRow]:
    """Hours per person (who logged) or per project (attributed to), most hours first."""
    placeholder = UNKNOWN_PERSON if by == "person" else NO_PROJECT
    labels: dict[str, str] = {}
    minutes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for entry in entries:
        ref = _reference(entry, by)
        gid = ref.gid if ref else ""
        labels.setdefault(gid, (ref.name if ref else "") or placeholder)
        minutes[gid] += entry.duration_minutes
        counts[gid] += 1
    total = sum(minutes.values())
    rows = [
        BreakdownRow(
            key=gid,
            label=label,
            minutes=minutes[gid],
            entries=counts[gid],
            share=share_of(minutes[gid], total),
        )
        for gid, label in labels.items()
    ]
    return sort_breakdown(rows)


# --- time series -----------------------------------------------------------------------


def granularity_for(start: dt.date, end: dt.date) -> Granularity:
    """Day up to a month, week up to half a year, month up to three years, quarter beyond."""
    days = range_days(start, end)
    if days <= DAY_GRANULARITY_MAX_DAYS:
        return "day"
    if days <= WEEK_GRANULARITY_MAX_DAYS:
        return "week"
    return "month" if days <= MONTH_GRANULARITY_MAX_DAYS else "quarter"


def groupings_for(start: dt.date, end: dt.date) -> tuple[Granularity, ...]:
    """The groupings a chart of this range may use: at most MAX_SERIES_POINTS periods."""
    days = range_days(start, end)
    return tuple(g for g in get_args(Granularity) if days <= MAX_SERIES_POINTS * PERIOD_DAYS[g])


def _period_end(day: dt.date, granularity: Granularity) -> dt.date:
    if granularity == "day":
        return day
    if granularity == "week":  # weeks run Monday..Sunday
        return day + dt.timedelta(days=6 - day.weekday())
    if granularity == "year":
        return day.replace(month=12, day=31)
    month = day.month
    if granularity == "quarter":  # calendar quarters end in March, June, September, December
        month = -(-month // 3) * 3
    return day.replace(month=month, day=calendar.monthrange(day.year, month)[1])


def periods(
    start: dt.date, end: dt.date, granularity: Granularity
) -> list[tuple[dt.date, dt.date]]:
    """Every period touching the range, clipped to it: contiguous, in order, no gaps."""
    _check_range(start, end)
    spans: list[tuple[dt.date, dt.date]] = []
    cursor = start
    while cursor <= end:
        span_end = min(_period_end(cursor, granularity), end)
        spans.append((cursor, span_end))
        cursor = span_end + ONE_DAY
    return spans


def _period_label(period_start: dt.date, granularity: Granularity) -> str:
    if granularity == "year":
        return str(period_start.year)
    if granularity == "quarter":
        return f"{period_start.year}-Q{(period_start.month - 1) // 3 + 1}"
    if granularity == "month":
        return period_start.strftime("%Y-%m")
    if granularity == "week":
        return f"Week of {period_start.isoformat()}"
    return period_start.isoformat()


@dataclass(frozen=True)
class SeriesPoint(_InHours):
    label: str
    period_start: dt.date
    period_end: dt.date  # inclusive
    minutes: int


def time_series(
    entries: Iterable[TimeEntry],
    *,
    start: dt.date,
    end: dt.date,
    granularity: Granularity | None = None,
) -> list[SeriesPoint]:
    """Minutes per period over start..end, empty periods included as zeros.

    `granularity` defaults to `granularity_for(start, end)`. An entry outside the range
    has no period to go in and is left out (see `within_range`).
    """
    granularity = granularity or granularity_for(start, end)
    spans = periods(start, end, granularity)
    starts = [span_start for span_start, _ in spans]
    minutes = [0] * len(spans)
    for entry in entries:
        if start <= entry.entered_on <= end:
            minutes[bisect_right(starts, entry.entered_on) - 1] += entry.duration_minutes
    return [
        SeriesPoint(
            label=_period_label(span_start, granularity),
            period_start=span_start,
            period_end=span_end,
            minutes=total,
        )
        for (span_start, span_end), total in zip(spans, minutes, strict=True)
    ]


# --- chart data ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartDataset:
    label: str
    hours: tuple[Decimal, ...]
    # An Asana colour name ("blue", "none"): the page maps it to a theme-aware colour.
    color: str = "none"


@dataclass(frozen=True)
class ChartData:
    """Labelled hours: the one source for a chart and for its screen-reader table."""

    labels: tuple[str, ...]
    datasets: tuple[ChartDataset, ...]


def chart_payload(data: ChartData) -> dict[str, Any]:
    """A JSON-safe dict for Chart.js, to embed with `json_script`.

    Plain strings and numbers only: labels stay raw text (Chart.js draws them on a
    canvas, and `json_script` escapes them for the page), so nothing here is HTML.
    """
    return {
        "unit": "hours",
        "labels": list(data.labels),
        "datasets": [
            {
                "label": dataset.label,
                "data": [float(hours) for hours in dataset.hours],
                "colorName": dataset.color,
            }
            for dataset in data.datasets
        ],
    }


def _hours_chart(labels: Iterable[str], hours: Iterable[Decimal]) -> ChartData:
    return ChartData(labels=tuple(labels), datasets=(ChartDataset("Hours", tuple(hours)),))


def series_chart(points: Sequence[SeriesPoint]) -> ChartData:
    """Hours over time, one bar or point per period."""
    return _hours_chart((p.label for p in points), (p.hours for p in points))


def bar_chart(rows: Sequence[Row]) -> ChartData:
    """Hours per row (person, project or category), in the rows' order."""
    return _hours_chart((r.label for r in rows), (r.hours for r in rows))


NO_CATEGORY_LABEL = "No category"


def category_label(category: Category) -> str:
    return category.name or UNNAMED_CATEGORY


def weekly_stacked(
    entries_by_category: Mapping[Category, Iterable[TimeEntry]],
    *,
    start: dt.date,
    end: dt.date,
) -> ChartData:
    """Hours per category per week (Monday-based, clipped to the range), one dataset each."""
    labels = tuple(
        _period_label(span_start, "week") for span_start, _ in periods(start, end, "week")
    )
    datasets = tuple(
        ChartDataset(
            label=category_label(category),
            hours=tuple(
                point.hours
                for point in time_series(entries, start=start, end=end, granularity="week")
            ),
            color=category.color,
        )
        for category, entries in entries_by_category.items()
    )
    return ChartData(labels=labels, datasets=datasets)


# --- one category's report -------------------------------------------------------------


@dataclass(frozen=True)
class CategorySummary:
    """Everything above a category's entries table, computed from one list of entries."""

    start: dt.date
    end: dt.date
    totals: Totals
    previous: Totals
    change: Change
    by_person: tuple[BreakdownRow, ...]
    by_project: tuple[BreakdownRow, ...]
    granularity: Granularity
    series: tuple[SeriesPoint, ...]

    @property
    def previous_range(self) -> tuple[dt.date, dt.date]:
        return previous_period(self.start, self.end)

    @property
    def chart(self) -> ChartData:
        return series_chart(self.series)


def build_summary(
    *, entries: Iterable[TimeEntry], start: dt.date, end: dt.date, previous: Totals
) -> CategorySummary:
    """The report for `entries` (those of start..end); `previous` is `previous_period`'s."""
    listed = list(entries)  # read several times below; the caller's iterable may be one-shot
    granularity = granularity_for(start, end)
    totals = Totals.of(listed)
    return CategorySummary(
        start=start,
        end=end,
        totals=totals,
        previous=previous,
        change=compare(totals, previous),
        by_person=tuple(breakdown(listed, by="person")),
        by_project=tuple(breakdown(listed, by="project")),
        granularity=granularity,
        series=tuple(time_series(listed, start=start, end=end, granularity=granularity)),
    )


# --- overview across categories --------------------------------------------------------


@dataclass(frozen=True)
class CategoryHours(_InHours):
    category: Category
    minutes: int
    entries: int
    # Fraction of the summed hours of the loaded categories; None when unknown (a failed
    # row, or one category reloaded on its own).
    share: float | None
    status: Status = "ok"
    error: str = ""  # plain words, when status is "failed"

    @property
    def key(self) -> str:
        return self.category.gid

    @property
    def label(self) -> str:
        return category_label(self.category)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class CategoryLoad:
    """One category's entries for the range, or why they could not be loaded."""

    category: Category
    entries: tuple[TimeEntry, ...] = ()
    error: str | None = None


def hours_row(load: CategoryLoad) -> CategoryHours:
    """One category's row, without a share (that needs every row: see `build_overview`)."""
    if load.error is not None:
        return CategoryHours(
            category=load.category,
            minutes=0,
            entries=0,
            share=None,
            status="failed",
            error=load.error,
        )
    totals = Totals.of(load.entries)
    return CategoryHours(
        category=load.category, minutes=totals.minutes, entries=totals.entries, share=None
    )


@dataclass(frozen=True)
class Overview:
    """Hours per category over a range.

    An entry with two categories counts in both rows, so shares are of the *summed*
    category hours (`summed`), which can exceed the time actually logged (`distinct`).
    """

    start: dt.date
    end: dt.date
    rows: tuple[CategoryHours, ...]  # most hours first; failed rows keep their place at 0
    weekly: ChartData  # loaded categories only, in row order
    distinct: Totals  # each entry once, across the loaded rows
    multi_category_entries: int  # entries counted in more than one row
    # Time logged with no category; None where it cannot be seen (the per-category fallback).
    uncategorised: Totals | None = None

    @property
    def logged(self) -> Totals:
        """Every entry of the range once: the categories' and those with none."""
        none = self.uncategorised or Totals(entries=0, minutes=0)
        return Totals(
            entries=self.distinct.entries + none.entries,
            minutes=self.distinct.minutes + none.minutes,
        )

    @property
    def loaded(self) -> tuple[CategoryHours, ...]:
        return tuple(row for row in self.rows if row.ok)

    @property
    def failed(self) -> tuple[CategoryHours, ...]:
        return tuple(row for row in self.rows if not row.ok)

    @property
    def summed(self) -> Totals:
        loaded = self.loaded
        return Totals(
            entries=sum(row.entries for row in loaded), minutes=sum(row.minutes for row in loaded)
        )

    @property
    def chart(self) -> ChartData:
        return bar_chart(self.loaded)


def build_overview(loads: Sequence[CategoryLoad], *, start: dt.date, end: dt.date) -> Overview:
    """The overview from each category's own entries (or failure); shares of summed hours."""
    rows = [hours_row(load) for load in loads]
    total = sum(row.minutes for row in rows if row.ok)
    rows = sort_breakdown(
        replace(row, share=share_of(row.minutes, total)) if row.ok else row for row in rows
    )
    loaded = {load.category.gid: load.entries for load in loads if load.error is None}
    # How many rows each entry is counted in (a set per row: once per category).
    rows_per_entry = Counter(gid for found in loaded.values() for gid in {e.gid for e in found})
    unique = {entry.gid: entry for found in loaded.values() for entry in found}
    return Overview(
        start=start,
        end=end,
        rows=tuple(rows),
        weekly=weekly_stacked(
            {row.category: loaded[row.key] for row in rows if row.ok}, start=start, end=end
        ),
        distinct=Totals.of(unique.values()),
        multi_category_entries=sum(1 for count in rows_per_entry.values() if count > 1),
    )


# --- across the workspace: one sweep of every entry, grouped in memory --------------------


def loads_by_category(
    entries: Sequence[TimeEntry], categories: Sequence[Category]
) -> list[CategoryLoad]:
    """Each category's entries, from one sweep of the workspace's entries."""
    by_gid: dict[str, list[TimeEntry]] = {category.gid: [] for category in categories}
    for entry in entries:
        for category in entry.categories:
            if category.gid in by_gid:
                by_gid[category.gid].append(entry)
    return [CategoryLoad(category, tuple(by_gid[category.gid])) for category in categories]


def without_category(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    return [entry for entry in entries if not entry.categories]


@dataclass(frozen=True)
class Narrowing:
    """The report filters: one person and/or one project, by gid ("" keeps everyone).
    Every screen and export narrows its entries through this one place."""

    person: str = ""
    project: str = ""

    def __bool__(self) -> bool:
        return bool(self.person or self.project)

    def keeps(self, entry: TimeEntry) -> bool:
        person, project = entry.created_by, entry.attributable_to
        return (not self.person or (person is not None and person.gid == self.person)) and (
            not self.project or (project is not None and project.gid == self.project)
        )

    def applied(self, entries: Iterable[TimeEntry]) -> list[TimeEntry]:
        return [entry for entry in entries if self.keeps(entry)]

    def streamed(self, entries: Iterable[TimeEntry]) -> Iterator[TimeEntry]:
        """The same, one entry at a time (the exports hold nothing)."""
        return (entry for entry in entries if self.keeps(entry))


def narrowed(
    entries: Iterable[TimeEntry], *, person: str = "", project: str = ""
) -> list[TimeEntry]:
    """The entries of one person and/or one project (gids; "" keeps everyone)."""
    return Narrowing(person, project).applied(entries)


@dataclass(frozen=True)
class NarrowingChoices:
    """The filters' options: who logged time in the range and on which projects, each
    once, by name (names are user text: templates escape them)."""

    people: tuple[Reference, ...] = ()
    projects: tuple[Reference, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[TimeEntry]) -> NarrowingChoices:
        listed = list(entries)
        return cls(
            people=_references(entry.created_by for entry in listed),
            projects=_references(entry.attributable_to for entry in listed),
        )

    def unknown(self, narrowing: Narrowing) -> tuple[BreakdownBy, ...]:
        """Which of the chosen person and project is not among the options."""
        found: list[BreakdownBy] = []
        if narrowing.person and narrowing.person not in {ref.gid for ref in self.people}:
            found.append("person")
        if narrowing.project and narrowing.project not in {ref.gid for ref in self.projects}:
            found.append("project")
        return tuple(found)


def _references(found: Iterable[Reference | None]) -> tuple[Reference, ...]:
    unique = {reference.gid: reference for reference in found if reference is not None}
    return tuple(sorted(unique.values(), key=lambda ref: (ref.name.casefold(), ref.gid)))


NO_CATEGORY_KEY = ""


@dataclass(frozen=True)
class TeamColumn(_InHours):
    key: str  # the category's gid; NO_CATEGORY_KEY for time with no category
    label: str
    category: Category | None
    minutes: int


@dataclass(frozen=True)
class TeamRow:
    person: Reference | None
    label: str
    minutes_by_column: dict[str, int]
    minutes: int


@dataclass(frozen=True)
class TeamMatrix(_InHours):
    """People x categories: minutes per cell, per person, per category and in all."""

    columns: tuple[TeamColumn, ...]  # most hours first; "No category" last
    rows: tuple[TeamRow, ...]  # most hours first
    minutes: int

    def cell(self, row: TeamRow, column: TeamColumn) -> int:
        return row.minutes_by_column.get(column.key, 0)


def team_matrix(entries: Iterable[TimeEntry]) -> TeamMatrix:
    cells: dict[str, Counter[str]] = {}
    people: dict[str, Reference | None] = {}
    columns: dict[str, Category | None] = {}
    for entry in entries:
        person_key = entry.created_by.gid if entry.created_by else ""
        people.setdefault(person_key, entry.created_by)
        keys = [category.gid for category in entry.categories] or [NO_CATEGORY_KEY]
        for category in entry.categories:
            columns.setdefault(category.gid, category)
        if not entry.categories:
            columns.setdefault(NO_CATEGORY_KEY, None)
        row = cells.setdefault(person_key, Counter())
        for key in keys:
            row[key] += entry.duration_minutes
    column_minutes = Counter[str]()
    for row in cells.values():
        column_minutes.update(row)
    ordered_columns = sorted(
        columns.items(), key=lambda item: (item[0] == NO_CATEGORY_KEY, -column_minutes[item[0]])
    )
    team_columns = tuple(
        TeamColumn(
            key=key,
            label=category_label(category) if category else NO_CATEGORY_LABEL,
            category=category,
            minutes=column_minutes[key],
        )
        for key, category in ordered_columns
    )
    rows = sorted(
        (
            TeamRow(
                person=people[key],
                label=(people[key].name or UNKNOWN_PERSON) if people[key] else UNKNOWN_PERSON,
                minutes_by_column=dict(found),
                minutes=sum(found.values()),
            )
            for key, found in cells.items()
        ),
        key=lambda row: (-row.minutes, row.label.casefold()),
    )
    return TeamMatrix(columns=team_columns, rows=tuple(rows), minutes=sum(column_minutes.values()))
