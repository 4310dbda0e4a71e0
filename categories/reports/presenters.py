"""What the report screens show, worked out in Python for the templates: sortable
headings, rows with their share written out, charts with their tables, the change
against the previous period, breakdown tables, grouping links, and the entries table's
rows (rendered by the Jinja2 template `reports/_entry_rows.html`: a screen holds up to a
hundred rows, and formatting each with Django template filters cost more than
everything else on the page).

Display dataclasses and functions of calculated values; URLs come from the caller
(`url_for`), so nothing here reads a request or resolves a route.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from categories.asana import Category, TimeEntry
from categories.reports.calculations import (
    BreakdownBy,
    BreakdownRow,
    CategorySummary,
    ChartData,
    Granularity,
    Overview,
    Row,
    TeamColumn,
    TeamMatrix,
    TeamRow,
    bar_chart,
    chart_payload,
    granularity_for,
    groupings_for,
    minutes_to_hours,
    sort_breakdown,
)
from categories.reports.forms import BREAKDOWN_PARAMS, EntriesQuery
from categories.templatetags.dashboard import duration

# The first click on a column sorts the way people expect: numbers biggest first, names A-Z.
BREAKDOWN_FIRST_CLICK = {"name": "name", "hours": "-hours", "entries": "-entries"}
BREAKDOWN_TITLES: dict[BreakdownBy, str] = {"person": "Person", "project": "Project"}
# A time series with more points than this reads better as a line than as thin bars.
MAX_BARS = 45
# A true minus sign: a hyphen reads as a dash, and screen readers say "minus" for it.
MINUS = "\u2212"


# --- sortable headings ------------------------------------------------------------------


@dataclass(frozen=True)
class SortColumn:
    """A sortable column heading: its link and what it announces (aria-sort)."""

    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "" when not sorted by this column
    numeric: bool = False


def sort_columns(
    current: str,
    *,
    labels: Mapping[str, str],
    first_click: Mapping[str, str],
    url_for: Callable[[str], str],
    numeric: Collection[str] = (),
) -> list[SortColumn]:
    """Headings for a table sorted by `current` ("-" first: descending); clicking the
    sorted column reverses it, any other column sorts by `first_click`."""
    sorted_by = current.removeprefix("-")
    descending = current.startswith("-")
    columns = []
    for key, label in labels.items():
        if key == sorted_by:
            next_sort = key if descending else f"-{key}"
            aria_sort = "descending" if descending else "ascending"
        else:
            next_sort, aria_sort = first_click[key], ""
        columns.append(
            SortColumn(key, label, url_for(next_sort), aria_sort, numeric=key in numeric)
        )
    return columns


# --- rows with a share of the total ------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    """A breakdown or overview row, with its numbers written out for the page (in Python:
    a template's number formatting, per cell, cost more than the rest of the table)."""

    row: Row
    percent: str  # "25.0%", or "" when the share is unknown (a failed or retried row)
    fraction: str  # "0.2500": a <progress> bar's value, never localised
    hours: str  # "12.50"
    minutes: str
    entries: str

    @classmethod
    def of(cls, row: Row) -> ShareRow:
        numbers = {
            "hours": str(row.hours),
            "minutes": str(row.minutes),
            "entries": str(row.entries),
        }
        if row.share is None:
            return cls(row, "", "", **numbers)
        return cls(row, f"{row.share * 100:.1f}%", f"{row.share:.4f}", **numbers)


# --- charts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartTable:
    """A chart's numbers as a table: a heading per column, a heading and cells per row."""

    corner: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # hours written out, as ShareRow's


@dataclass(frozen=True)
class ChartView:
    """A chart (canvas + json_script, drawn by static/js/charts.js) and its table."""

    element_id: str  # of the json_script element; the canvas names it in data-chart
    title: str
    data: ChartData
    axis: str  # what the labels are ("Week", "Category"): the table's corner heading
    kind: Literal["bar", "line"] = "bar"
    stacked: bool = False
    horizontal: bool = False  # bars along the value axis: room for long names
    # Asana colour names, one per bar (the overview's categories); else one theme colour.
    bar_colors: tuple[str, ...] = ()

    @property
    def payload(self) -> dict[str, Any]:
        return {
            **chart_payload(self.data),
            "kind": self.kind,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "barColorNames": list(self.bar_colors),
        }

    @property
    def table(self) -> ChartTable:
        """A row per label and a column per dataset, or the other way round when there
        are more datasets than labels (many categories, few weeks): fewer columns."""
        labels, datasets = self.data.labels, self.data.datasets
        if len(datasets) > len(labels):
            rows = [
                (dataset.label, [str(hours) for hours in dataset.hours]) for dataset in datasets
            ]
            return ChartTable("Category", list(labels), rows)
        rows = [
            (label, [str(dataset.hours[index]) for dataset in datasets])
            for index, label in enumerate(labels)
        ]
        return ChartTable(self.axis, [dataset.label for dataset in datasets], rows)


def series_chart_view(report: CategorySummary) -> ChartView:
    data = report.chart
    return ChartView(
        element_id="chart-hours-over-time",
        title=f"Hours per {report.granularity}",
        data=data,
        axis=report.granularity.capitalize(),
        kind="line" if len(data.labels) > MAX_BARS else "bar",
    )


# --- the report above a category's entries ----------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    """The change against the previous period, as words and signed figures."""

    direction: str  # "up", "down" or "same"
    hours: str  # "+2.50", MINUS + "1.25" or "0.00"
    percent: str  # "+12.5%", or "" when the previous period had no time


def change_view(report: CategorySummary) -> ChangeView:
    change = report.change
    return ChangeView(
        direction=change.direction,
        hours=_signed(change.hours),
        percent="" if change.percent is None else f"{_signed(change.percent)}%",
    )


def _signed(number: Decimal) -> str:
    if number > 0:
        return f"+{number}"
    return f"{MINUS}{-number}" if number < 0 else f"{number}"


@dataclass(frozen=True)
class BreakdownView:
    by: BreakdownBy
    title: str
    rows: list[ShareRow]
    columns: list[SortColumn]
    csv_url: str
    xlsx_url: str


def breakdown_views(
    report: CategorySummary,
    query: EntriesQuery,
    *,
    url_for: Callable[..., str],
    export_urls: Mapping[str, str],
) -> list[BreakdownView]:
    """The person and project tables, each in its own order from the URL.

    `url_for(people=...)` / `url_for(projects=...)` is the screen's URL with one order changed.
    """
    tables: tuple[tuple[BreakdownBy, tuple[BreakdownRow, ...]], ...] = (
        ("person", report.by_person),
        ("project", report.by_project),
    )
    return [
        _breakdown_view(by, rows, query, url_for=url_for, export_urls=export_urls)
        for by, rows in tables
    ]


def _breakdown_view(
    by: BreakdownBy,
    rows: Iterable[BreakdownRow],
    query: EntriesQuery,
    *,
    url_for: Callable[..., str],
    export_urls: Mapping[str, str],
) -> BreakdownView:
    key, descending = query.order(by)
    param = BREAKDOWN_PARAMS[by]
    return BreakdownView(
        by=by,
        title=f"By {by}",
        rows=[ShareRow.of(row) for row in sort_breakdown(rows, key=key, descending=descending)],
        columns=sort_columns(
            query.sort_of(by),
            labels={"name": BREAKDOWN_TITLES[by], "hours": "Hours", "entries": "Entries"},
            first_click=BREAKDOWN_FIRST_CLICK,
            url_for=lambda sort: url_for(**{param: sort}),
            numeric=("hours", "entries"),
        ),
        csv_url=export_urls[by],
        xlsx_url=export_urls[f"{by}_xlsx"],
    )


def grouping_links(
    current: Granularity | None, *, report: CategorySummary, url_for: Callable[..., str]
) -> list[dict[str, Any]]:
    """Auto (what the range's length suggests), by day, week or month: links in the URL."""
    automatic = granularity_for(report.start, report.end)
    links = [
        {
            "key": "auto",
            "label": f"Auto ({automatic})",
            "url": url_for(group=None),
            "current": current is None,
        }
    ]
    links += [
        {
            "key": key,
            "label": key.capitalize(),
            "url": url_for(group=key),
            "current": current == key,
        }
        for key in groupings_for(report.start, report.end)
    ]
    return links


def overview_charts(overview: Overview) -> list[ChartView]:
    loaded = overview.loaded
    return [
        ChartView(
            element_id="chart-overview-categories",
            title="Hours per category",
            data=bar_chart(loaded),
            axis="Category",
            horizontal=True,
            bar_colors=tuple(row.category.color for row in loaded),
        ),
        ChartView(
            element_id="chart-overview-weekly",
            title="Hours per category, week by week",
            data=overview.weekly,
            axis="Week",
            stacked=True,
        ),
    ]


# --- the entries table's rows ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryRowView:
    gid: str
    day_iso: str  # for <time datetime>
    day_label: str  # "Mon 30 Jun 2025"
    person: str | None  # None when Asana names nobody
    project: str | None  # None when the entry has no project
    duration: str  # h:mm
    other_categories: tuple[Category, ...]  # the entry's categories but this screen's


def entry_rows(entries: Iterable[TimeEntry], *, category_gid: str) -> list[EntryRowView]:
    return [_row(entry, category_gid) for entry in entries]


def entry_rows_html(
    entries: Iterable[TimeEntry],
    *,
    category_gid: str,
    focus_first_row: bool = False,
    move_url: str = "",
) -> SafeString:
    """The <tr> elements, autoescaped, for a page template to place as they are.

    `focus_first_row`: the first row takes the focus (rows appended by "load more").
    `move_url` (admins only): each row gets a checkbox for the move form and a Move link
    (this URL followed by the entry's gid)."""
    rows = entry_rows(entries, category_gid=category_gid)
    context = {"rows": rows, "focus_first_row": focus_first_row, "move_url": move_url}
    return mark_safe(render_to_string(ROWS_TEMPLATE, context, using="jinja2"))  # noqa: S308 - autoescaped by Jinja2


ROWS_TEMPLATE = "reports/_entry_rows.html"


def _row(entry: TimeEntry, category_gid: str) -> EntryRowView:
    day = entry.entered_on
    return EntryRowView(
        gid=entry.gid,
        day_iso=day.isoformat(),
        # English names whatever the process locale: strftime's %a/%b would follow it.
        day_label=f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}",
        person=entry.created_by.name if entry.created_by else None,
        project=entry.attributable_to.name if entry.attributable_to else None,
        duration=duration(entry.duration_minutes),
        other_categories=tuple(c for c in entry.categories if c.gid != category_gid),
    )


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- the team matrix ----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCellView:
    minutes: int
    hours: str
    url: str  # the category's entries for the range ("" for time with no category)


@dataclass(frozen=True)
class TeamRowView:
    label: str
    cells: list[TeamCellView]
    minutes: int
    hours: str


def team_rows(matrix: TeamMatrix, *, params: Mapping[str, str]) -> list[TeamRowView]:
    """Each person's hours per category, each cell linking to the entries it sums: that
    category's (or those with no category), of that person, with the page's range and
    project (`params`), so the page opened shows the cell's hours."""
    return [
        TeamRowView(
            label=row.label,
            cells=[
                _team_cell(matrix.cell(row, column), column, _person_params(row, params))
                for column in matrix.columns
            ],
            minutes=row.minutes,
            hours=f"{minutes_to_hours(row.minutes):.2f}",
        )
        for row in matrix.rows
    ]


def _person_params(row: TeamRow, params: Mapping[str, str]) -> dict[str, str] | None:
    # Time Asana names nobody for cannot be filtered to: its cells are not links.
    return {**params, "person": row.person.gid} if row.person else None


def _team_cell(minutes: int, column: TeamColumn, params: dict[str, str] | None) -> TeamCellView:
    url = ""
    if minutes and params is not None:
        path = (
            reverse("category_entries", args=[column.key])
            if column.category is not None
            else reverse("uncategorised")
        )
        url = f"{path}?{urlencode(params)}"
    return TeamCellView(minutes, f"{minutes_to_hours(minutes):.2f}" if minutes else "", url)
