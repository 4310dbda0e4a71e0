"""Reports for managers: what a category's entries screen shows above its table, the CSV
exports, and the workspace overview (hours per category).

The overview's page comes back at once with the category names; the hours arrive in a
section HTMX loads next, and a category that failed there is retried on its own row.
Without JavaScript, `?full=1` renders the whole overview in one page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar, cast, get_args

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from categories import dates, exports, reporting, services
from categories.errors import ProblemMessage
from categories.forms import ENTRIES_PAGE_SIZE, EntriesFilterForm, EntriesQuery
from categories.permissions import viewer_required
from categories.reports import (
    BreakdownBy,
    BreakdownRow,
    CategoryReport,
    ChartData,
    Granularity,
    Overview,
    Row,
    SortKey,
    bar_chart,
    chart_payload,
    granularity_for,
    sort_breakdown,
)
from categories.views.htmx import render_varying, wants_fragment
from categories.workspaces import current_workspace

T = TypeVar("T")

# --- a report's own URL parameters ----------------------------------------------------

GROUPINGS: tuple[Granularity, ...] = get_args(Granularity)
# Breakdown orders, as in the URL: a column, "-" first for biggest (or Z) first.
BREAKDOWN_SORTS = frozenset({"name", "-name", "hours", "-hours", "entries", "-entries"})
DEFAULT_BREAKDOWN_SORT = "-hours"
# The first click on a column sorts the way people expect: numbers biggest first, names A-Z.
BREAKDOWN_FIRST_CLICK = {"name": "name", "hours": "-hours", "entries": "-entries"}
BREAKDOWN_TITLES: dict[BreakdownBy, str] = {"person": "Person", "project": "Project"}
# The URL parameter holding each breakdown's order.
BREAKDOWN_PARAMS: dict[BreakdownBy, str] = {"person": "people", "project": "projects"}
# A time series with more points than this reads better as a line than as thin bars.
MAX_BARS = 45
# A true minus sign: a hyphen reads as a dash, and screen readers say "minus" for it.
MINUS = "\u2212"
INVALID_RANGE = ProblemMessage(
    "The dates need correcting",
    "The dates in this link do not make a range, so nothing was asked of Asana. Open the "
    "report and choose the dates again.",
    422,
)


@dataclass(frozen=True)
class ReportOptions:
    """Beside the range: how the chart groups time and how each breakdown is ordered."""

    group: Granularity | None = None  # None: chosen from the range's length
    people: str = DEFAULT_BREAKDOWN_SORT
    projects: str = DEFAULT_BREAKDOWN_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ReportOptions:
        # An unknown value is not worth an error message: the default is shown instead.
        group = params.get("group", "")
        return cls(
            group=cast(Granularity, group) if group in GROUPINGS else None,
            people=_breakdown_sort(params.get("people", "")),
            projects=_breakdown_sort(params.get("projects", "")),
        )

    def params(self) -> dict[str, str]:
        """The URL parameters that differ from the defaults (plain links stay short)."""
        found = {"group": self.group or "", "people": self.people, "projects": self.projects}
        return {
            key: value for key, value in found.items() if value not in ("", DEFAULT_BREAKDOWN_SORT)
        }

    def sort_of(self, by: BreakdownBy) -> str:
        """One breakdown table's order, as in the URL ("-hours")."""
        return self.people if by == "person" else self.projects

    def order(self, by: BreakdownBy) -> tuple[SortKey, bool]:
        """(column, descending) of one breakdown table."""
        sort = self.sort_of(by)
        return cast(SortKey, sort.removeprefix("-")), sort.startswith("-")


def _breakdown_sort(value: str) -> str:
    return value if value in BREAKDOWN_SORTS else DEFAULT_BREAKDOWN_SORT


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


def series_chart_view(report: CategoryReport) -> ChartView:
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


def change_view(report: CategoryReport) -> ChangeView:
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


def breakdown_views(
    report: CategoryReport,
    options: ReportOptions,
    *,
    url_for: Callable[..., str],
    csv_urls: Mapping[str, str],
) -> list[BreakdownView]:
    """The person and project tables, each in its own order from the URL.

    `url_for(people=...)` / `url_for(projects=...)` is the screen's URL with one order changed.
    """
    tables: tuple[tuple[BreakdownBy, tuple[BreakdownRow, ...]], ...] = (
        ("person", report.by_person),
        ("project", report.by_project),
    )
    return [
        _breakdown_view(by, rows, options, url_for=url_for, csv_url=csv_urls[by])
        for by, rows in tables
    ]


def _breakdown_view(
    by: BreakdownBy,
    rows: Iterable[BreakdownRow],
    options: ReportOptions,
    *,
    url_for: Callable[..., str],
    csv_url: str,
) -> BreakdownView:
    key, descending = options.order(by)
    param = BREAKDOWN_PARAMS[by]
    return BreakdownView(
        by=by,
        title=f"By {by}",
        rows=[ShareRow.of(row) for row in sort_breakdown(rows, key=key, descending=descending)],
        columns=sort_columns(
            options.sort_of(by),
            labels={"name": BREAKDOWN_TITLES[by], "hours": "Hours", "entries": "Entries"},
            first_click=BREAKDOWN_FIRST_CLICK,
            url_for=lambda sort: url_for(**{param: sort}),
            numeric=("hours", "entries"),
        ),
        csv_url=csv_url,
    )


def grouping_links(
    current: Granularity | None, *, report: CategoryReport, url_for: Callable[..., str]
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
        for key in GROUPINGS
    ]
    return links


def export_urls(gid: str, params: Mapping[str, str]) -> dict[str, str]:
    """The CSV exports of the screen's entries and breakdowns, with the screen's filters."""
    query = urlencode(params)
    return {
        "entries": f"{reverse('category_entries_csv', args=[gid])}?{query}",
        "person": f"{reverse('category_people_csv', args=[gid])}?{query}",
        "project": f"{reverse('category_projects_csv', args=[gid])}?{query}",
    }


# --- CSV exports ------------------------------------------------------------------------


@require_GET
@viewer_required
def entries_csv(request: HttpRequest, gid: str) -> HttpResponse:
    """One line per entry of the range: exactly the entries the screen totals."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    # Its name names the file; a category that no longer exists stops here, with a 404.
    category = services.get_category(gid=gid, reuse=True)
    entries = reporting.iter_category_entries(category_gid=gid, start=query.start, end=query.end)
    filename = exports.csv_filename(category_name=category.name, start=query.start, end=query.end)
    return _csv_response(exports.entries_csv_rows(_first_page_fetched(entries)), filename)


@require_GET
@viewer_required
def breakdown_csv(request: HttpRequest, gid: str, by: BreakdownBy) -> HttpResponse:
    """Hours per person or per project for the range, in the order the screen shows."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    category = services.get_category(gid=gid, reuse=True)
    rows = reporting.category_breakdown(category_gid=gid, start=query.start, end=query.end, by=by)
    key, descending = ReportOptions.from_params(request.GET).order(by)
    filename = exports.csv_filename(
        category_name=category.name, start=query.start, end=query.end, suffix=f"by {by}"
    )
    return _csv_response(
        exports.breakdown_csv_rows(sort_breakdown(rows, key=key, descending=descending), by=by),
        filename,
    )


def _range_query(request: HttpRequest) -> EntriesQuery | None:
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    return form.query() if form.is_valid() else None


def _invalid_range(request: HttpRequest) -> HttpResponse:
    return render(request, "problem.html", {"problem": INVALID_RANGE}, status=422)


def _first_page_fetched(items: Iterator[T]) -> Iterator[T]:
    """`items`, with the first one already taken: Asana's first page is fetched now, so a
    refusal or outage becomes a readable error page instead of a 200 with a broken file.

    A failure on a later page aborts the download (the browser reports it as failed)
    rather than ending it early: a short file must never pass for a complete one.
    """
    first = list(itertools.islice(items, 1))
    return itertools.chain(first, items)


def _csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Asana's data, fetched live for whoever is signed in: nothing may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


# --- the overview -----------------------------------------------------------------------

OVERVIEW_PANEL = "overview-panel"
OVERVIEW_RESULTS = "overview-results"


@dataclass(frozen=True)
class OverviewQuery:
    """The overview's URL: a range, and active categories or archived ones too."""

    range: EntriesQuery
    archived: bool = False
    refresh: bool = False  # ask Asana again instead of reusing its answers of the last minute

    @property
    def span(self) -> dates.DateRange:
        return dates.DateRange(self.range.start, self.range.end)

    def range_params(self, preset: dates.Preset | None = None) -> dict[str, str]:
        return dates.range_params(preset or self.range.preset, self.span)

    def url(
        self,
        *,
        preset: dates.Preset | None = None,
        archived: bool | None = None,
        full: bool = False,
        refresh: bool = False,
    ) -> str:
        params = self.range_params(preset)
        flags = {"archived": self.archived if archived is None else archived}
        flags |= {"full": full, "refresh": refresh}
        params.update({name: "1" for name, wanted in flags.items() if wanted})
        return f"{reverse('overview')}?{urlencode(params)}"

    @classmethod
    def of(cls, form: EntriesFilterForm, request: HttpRequest) -> OverviewQuery:
        """The valid form's range, and the flags of the request's URL."""
        range_query = form.query() if form.is_valid() else fallback_query(form)
        params = request.GET
        return cls(range_query, params.get("archived") == "1", "refresh" in params)


@require_GET
@viewer_required
def overview(request: HttpRequest) -> HttpResponse:
    """Hours per category over a range: the frame at once, the hours in a lazy section."""
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    query = OverviewQuery.of(form, request)
    if not form.is_valid():
        # Nothing is asked of Asana until the range makes sense.
        context = {**_overview_context(form, query), "query": None}
        return _overview_page(request, context, status=422)
    context = _overview_context(form, query)
    workspace = current_workspace(request)
    lazy = wants_fragment(request, OVERVIEW_RESULTS)
    if workspace and (lazy or request.GET.get("full") == "1"):
        context.update(_results(workspace.gid, query))
    elif workspace:
        # One quick request, so the page names what it is loading while the hours come.
        context["categories"] = reporting.overview_categories(
            workspace_gid=workspace.gid, include_archived=query.archived, refresh=query.refresh
        )
    if lazy:
        return render_varying(request, "reports/overview_results_swap.html", context)
    return _overview_page(request, context)


@require_GET
@viewer_required
def overview_category(request: HttpRequest, gid: str) -> HttpResponse:
    """One overview row again: the Retry of a row that failed to load."""
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return _invalid_range(request)
    query = OverviewQuery.of(form, request)
    if not wants_fragment(request):
        # Without JavaScript, a retry is the whole overview again.
        return redirect(query.url(full=True))
    row = reporting.overview_category(
        category_gid=gid, start=query.range.start, end=query.range.end
    )
    context = {**_overview_context(form, query), "item": ShareRow.of(row)}
    return render_varying(request, "reports/overview_row_swap.html", context)


def _results(workspace_gid: str, query: OverviewQuery) -> dict[str, Any]:
    found = reporting.overview(
        workspace_gid=workspace_gid,
        start=query.range.start,
        end=query.range.end,
        include_archived=query.archived,
        refresh=query.refresh,
    )
    overview = found.overview
    return {
        "overview": overview,
        "as_of": found.as_of,
        "rows": [ShareRow.of(row) for row in overview.rows],
        "charts": overview_charts(overview) if overview.summed.minutes else [],
    }


def _overview_context(form: EntriesFilterForm, query: OverviewQuery) -> dict[str, Any]:
    return {
        "form": form,
        "query": query.range,
        "overview_query": query,
        "range_query": urlencode(query.range_params()),
        "range_action": reverse("overview"),
        "range_hidden": {"archived": "1"} if query.archived else {},
        "presets": dates.preset_links(query.range.preset, lambda p: query.url(preset=p)),
        "scopes": [
            {
                "key": "active",
                "label": "Active categories",
                "url": query.url(archived=False),
                "current": not query.archived,
            },
            {
                "key": "archived",
                "label": "Active and archived",
                "url": query.url(archived=True),
                "current": query.archived,
            },
        ],
        # The page's own requests carry its Refresh; links to other views do not.
        "results_url": query.url(refresh=query.refresh),
        "full_url": query.url(full=True, refresh=query.refresh),
    }


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


def _overview_page(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    template = (
        "reports/overview_panel_swap.html"
        if wants_fragment(request, OVERVIEW_PANEL)
        else "reports/overview.html"
    )
    return render_varying(request, template, context, status=status)


def fallback_query(form: EntriesFilterForm) -> EntriesQuery:
    """What a screen's links start from when its range could not be read: today only."""
    today = timezone.localdate()
    return EntriesQuery(
        preset=dates.CUSTOM,
        start=today,
        end=today,
        sort=form.cleaned_data.get("sort", services.DEFAULT_ENTRY_SORT),
        shown=ENTRIES_PAGE_SIZE,
    )
