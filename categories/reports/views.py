"""The report screens: a category's entries (its time entries in a date range with
totals, and above them the summary: change against the previous period, chart,
breakdowns), the CSV exports, and the workspace overview (hours per category).

The overview's page comes back at once with the category names; the hours arrive in a
section HTMX loads next, and a category that failed there is retried on its own row.
Without JavaScript, `?full=1` renders the whole overview in one page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from categories import selectors as category_selectors
from categories.access.decorators import viewer_required
from categories.reports import dates, exports, selectors
from categories.reports.calculations import BreakdownBy, CategorySummary, sort_breakdown
from categories.reports.entries import (
    DEFAULT_ENTRY_SORT,
    CategoryEntries,
    EntrySort,
    entries_for_category,
)
from categories.reports.forms import (
    ENTRIES_PAGE_SIZE,
    EntriesFilterForm,
    EntriesQuery,
    OverviewQuery,
    ReportOptions,
    fallback_query,
)
from categories.reports.presenters import (
    ShareRow,
    SortColumn,
    breakdown_views,
    change_view,
    entry_rows_html,
    grouping_links,
    overview_charts,
    series_chart_view,
    sort_columns,
)
from categories.web.htmx import render_screen, render_swap, wants_fragment
from categories.web.identity import current_workspace
from categories.web.pool import task_executor
from categories.web.problems import ProblemMessage

T = TypeVar("T")

INVALID_RANGE = ProblemMessage(
    "The dates need correcting",
    "The dates in this link do not make a range, so nothing was asked of Asana. Open the "
    "report and choose the dates again.",
    422,
)
PANEL = "entries-panel"
ROWS = "entry-rows"


# The first click on a column sorts the way people expect: dates and durations biggest
# first, names A to Z.
FIRST_CLICK: dict[str, EntrySort] = {
    "date": "-date",
    "person": "person",
    "project": "project",
    "duration": "-duration",
}
COLUMN_LABELS = {"date": "Date", "person": "Person", "project": "Project", "duration": "Duration"}


@require_GET
@viewer_required
def category_entries_page(request: HttpRequest, gid: str) -> HttpResponse:
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    options = ReportOptions.from_params(request.GET)
    if not form.is_valid():
        # Nothing is asked of Asana until the range makes sense.
        return _invalid_range_response(request, gid, form, options)
    query = form.query()
    if wants_fragment(request, ROWS):
        return _more_rows_response(request, gid, query)
    # "Refresh now" asks Asana again instead of reusing its answer of the last minute.
    refresh = "refresh" in request.GET
    # The report and the category's name are asked of Asana side by side, and the links,
    # which need neither, are worked out while Asana answers.
    executor = task_executor()
    report_future = executor.submit(
        selectors.category_report,
        category_gid=gid,
        start=query.start,
        end=query.end,
        sort=query.sort,
        granularity=options.group,
        refresh=refresh,
    )
    category_future = executor.submit(
        category_selectors.category_get, gid=gid, reuse=True, refresh=refresh
    )
    links = _links(gid, query, options)
    wider_url = (
        ""
        if query.preset == "year-to-date"
        else entries_url(gid, query, options, preset="year-to-date")
    )
    found = report_future.result()
    report = found.entries
    context = {
        **links,
        **_summary_context(gid, query, options, found.summary),
        "gid": gid,
        "category": category_future.result(),
        "form": form,
        "query": query,
        "report": report,
        "as_of": report.as_of,
        "rows_html": entry_rows_html(report.rows(last=query.shown), category_gid=gid),
        **_paging(gid, query, options, report),
        "days": (query.end - query.start).days + 1,
        "wider_url": wider_url,
    }
    return _entries_page(request, context)


def _more_rows_response(request: HttpRequest, gid: str, query: EntriesQuery) -> HttpResponse:
    """ "Load more": the next rows, appended below those already shown."""
    options = ReportOptions.from_params(request.GET)
    report = entries_for_category(
        category_gid=gid, start=query.start, end=query.end, sort=query.sort
    )
    context = {
        "gid": gid,
        "query": query,
        "report": report,
        "rows_html": entry_rows_html(
            report.rows(first=query.shown - ENTRIES_PAGE_SIZE, last=query.shown),
            category_gid=gid,
            focus_first_row=True,
        ),
        **_paging(gid, query, options, report),
    }
    oob = ["reports/_entries_more.html", "reports/_entries_shown.html"]
    return render_swap(request, "reports/_entry_rows_html.html", context, oob=oob)


def _invalid_range_response(
    request: HttpRequest, gid: str, form: EntriesFilterForm, options: ReportOptions
) -> HttpResponse:
    context = {
        **_links(gid, fallback_query(form), options),
        "gid": gid,
        "category": None,
        "form": form,
        "query": None,
        "report": None,
    }
    return _entries_page(request, context, status=422)


def _entries_page(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole screen, or for HTMX its panel and the status line's new words."""
    return render_screen(
        request,
        "reports/entries.html",
        context,
        target=PANEL,
        partial="reports/_entries_panel.html",
        oob=["reports/_entries_status.html"],
        status=status,
    )


# --- the summary above the table ----------------------------------------------------------


def _summary_context(
    gid: str, query: EntriesQuery, options: ReportOptions, report: CategorySummary
) -> dict[str, Any]:
    def url_for(**changes: Any) -> str:
        return entries_url(gid, query, options, **changes)

    previous = dates.DateRange(*report.previous_range)
    exports = export_urls(gid, _filter_params(query, options))
    return {
        "summary": report,
        "change": change_view(report),
        "previous_url": url_for(preset=dates.CUSTOM, span=previous),
        "chart": series_chart_view(report),
        "groupings": grouping_links(options.group, report=report, url_for=url_for),
        "breakdowns": breakdown_views(report, options, url_for=url_for, csv_urls=exports),
        "entries_csv_url": exports["entries"],
    }


# --- links ------------------------------------------------------------------------------


def entries_url(
    gid: str, query: EntriesQuery, options: ReportOptions | None = None, **changes: Any
) -> str:
    """The shareable URL of the entries screen for `query`, with `changes` applied.

    `changes` may name the range (preset, and span for a custom one), the sort, how many
    rows are shown, and the report's options (group, people, projects).
    """
    preset = changes.get("preset", query.preset)
    span = changes.get("span", dates.DateRange(query.start, query.end))
    sort = changes.get("sort", query.sort)
    shown = changes.get("shown", ENTRIES_PAGE_SIZE)
    option_changes = {
        key: changes[key] for key in ("group", "people", "projects") if key in changes
    }
    options = replace(options or ReportOptions(), **option_changes)
    params: dict[str, str | int] = {**dates.range_params(preset, span)}
    if sort != DEFAULT_ENTRY_SORT:
        params["sort"] = sort
    if shown > ENTRIES_PAGE_SIZE:
        params["show"] = shown
    params.update(options.params())
    return f"{_entries_path(gid)}?{urlencode(params)}"


def _entries_path(gid: str) -> str:
    # A screen links to itself two dozen ways (presets, sorts, groupings, paging...).
    return _entries_path_under(get_script_prefix(), get_urlconf(), gid)


@lru_cache(maxsize=1024)
def _entries_path_under(script_prefix: str, urlconf: str | None, gid: str) -> str:
    return reverse("category_entries", args=[gid], urlconf=urlconf)


@receiver(setting_changed)
def _forget_entries_paths(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":  # a test's override_settings
        _entries_path_under.cache_clear()


def _filter_params(query: EntriesQuery, options: ReportOptions) -> dict[str, str]:
    """The range and report options: what an export carries from the screen."""
    span = dates.DateRange(query.start, query.end)
    return {**dates.range_params(query.preset, span), **options.params()}


def _links(gid: str, query: EntriesQuery, options: ReportOptions) -> dict[str, Any]:
    hidden = options.params()
    if query.sort != DEFAULT_ENTRY_SORT:
        hidden = {"sort": query.sort, **hidden}
    return {
        "presets": dates.preset_links(
            query.preset, lambda preset: entries_url(gid, query, options, preset=preset)
        ),
        "range_action": reverse("category_entries", args=[gid]),
        "range_hidden": hidden,
        "sort_columns": _sort_columns(gid, query, options),
    }


def _sort_columns(gid: str, query: EntriesQuery, options: ReportOptions) -> list[SortColumn]:
    return sort_columns(
        query.sort,
        labels=COLUMN_LABELS,
        first_click=FIRST_CLICK,
        url_for=lambda sort: entries_url(gid, query, options, sort=sort),
        numeric=("duration",),
    )


def _paging(
    gid: str, query: EntriesQuery, options: ReportOptions, report: CategoryEntries
) -> dict[str, Any]:
    """How many rows are on screen, and the "load more" link while some are not."""
    shown = min(query.shown, report.entry_count)
    remaining = report.entry_count - shown
    return {
        "shown_count": shown,
        "next_count": min(ENTRIES_PAGE_SIZE, remaining),
        "more_url": (
            entries_url(gid, query, options, shown=query.shown + ENTRIES_PAGE_SIZE)
            if remaining
            else ""
        ),
    }


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
def entries_csv_download(request: HttpRequest, gid: str) -> HttpResponse:
    """One line per entry of the range: exactly the entries the screen totals."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    # Its name names the file; a category that no longer exists stops here, with a 404.
    category = category_selectors.category_get(gid=gid, reuse=True)
    entries = selectors.entries_streamed(category_gid=gid, start=query.start, end=query.end)
    filename = exports.csv_filename(category_name=category.name, start=query.start, end=query.end)
    return _csv_response(exports.entries_csv_rows(_first_page_fetched(entries)), filename)


@require_GET
@viewer_required
def breakdown_csv_download(request: HttpRequest, gid: str, by: BreakdownBy) -> HttpResponse:
    """Hours per person or per project for the range, in the order the screen shows."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    category = category_selectors.category_get(gid=gid, reuse=True)
    rows = selectors.breakdown_for_category(
        category_gid=gid, start=query.start, end=query.end, by=by
    )
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
    return render(request, "web/problem.html", {"problem": INVALID_RANGE}, status=422)


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


@require_GET
@viewer_required
def overview_page(request: HttpRequest) -> HttpResponse:
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
        context["categories"] = selectors.overview_category_list(
            workspace_gid=workspace.gid, include_archived=query.archived, refresh=query.refresh
        )
    if lazy:
        oob = ["reports/_overview_status.html"]
        return render_swap(request, "reports/_overview_results.html", context, oob=oob)
    return _overview_page(request, context)


@require_GET
@viewer_required
def overview_row_page(request: HttpRequest, gid: str) -> HttpResponse:
    """One overview row again: the Retry of a row that failed to load."""
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return _invalid_range(request)
    query = OverviewQuery.of(form, request)
    if not wants_fragment(request):
        # Without JavaScript, a retry is the whole overview again.
        return redirect(query.url(full=True))
    row = selectors.overview_row_for_category(
        category_gid=gid, start=query.range.start, end=query.range.end
    )
    context = {**_overview_context(form, query), "item": ShareRow.of(row)}
    oob = ["reports/_overview_row_note.html"]
    return render_swap(request, "reports/_overview_row.html", context, oob=oob)


def _results(workspace_gid: str, query: OverviewQuery) -> dict[str, Any]:
    found = selectors.overview_for_workspace(
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


def _overview_page(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render_screen(
        request,
        "reports/overview.html",
        context,
        target=OVERVIEW_PANEL,
        partial="reports/_overview_panel.html",
        oob=["reports/_overview_loading_status.html"],
        status=status,
    )
