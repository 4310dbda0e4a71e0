"""The entries screen: one category's time entries in a date range, with totals, and
above them the report: change against the previous period, chart, breakdowns, CSVs."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from categories import dates, reporting, services
from categories.forms import ENTRIES_PAGE_SIZE, EntriesFilterForm, EntriesQuery
from categories.permissions import viewer_required
from categories.reports import CategoryReport
from categories.views.entry_rows import entry_rows_html
from categories.views.htmx import render_varying, wants_fragment
from categories.views.reports import (
    ReportOptions,
    SortColumn,
    breakdown_views,
    change_view,
    export_urls,
    fallback_query,
    grouping_links,
    series_chart_view,
    sort_columns,
)

PANEL = "entries-panel"
ROWS = "entry-rows"


# The first click on a column sorts the way people expect: dates and durations biggest
# first, names A to Z.
FIRST_CLICK: dict[str, services.EntrySort] = {
    "date": "-date",
    "person": "person",
    "project": "project",
    "duration": "-duration",
}
COLUMN_LABELS = {"date": "Date", "person": "Person", "project": "Project", "duration": "Duration"}


@require_GET
@viewer_required
def category_entries(request: HttpRequest, gid: str) -> HttpResponse:
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
    executor = reporting.report_executor()
    report_future = executor.submit(
        reporting.category_report,
        category_gid=gid,
        start=query.start,
        end=query.end,
        sort=query.sort,
        granularity=options.group,
        refresh=refresh,
    )
    category_future = executor.submit(services.get_category, gid=gid, reuse=True, refresh=refresh)
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
        **_report_context(gid, query, options, found.report),
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
    template = (
        "categories/entries_panel_swap.html"
        if wants_fragment(request, PANEL)
        else "categories/entries.html"
    )
    return render_varying(request, template, context)


def _more_rows_response(request: HttpRequest, gid: str, query: EntriesQuery) -> HttpResponse:
    """ "Load more": the next rows, appended below those already shown."""
    options = ReportOptions.from_params(request.GET)
    report = reporting.category_entries(
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
    return render_varying(request, "categories/entries_more_swap.html", context)


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
    template = (
        "categories/entries_panel_swap.html"
        if wants_fragment(request, PANEL)
        else "categories/entries.html"
    )
    return render_varying(request, template, context, status=422)


# --- the report above the table ----------------------------------------------------------


def _report_context(
    gid: str, query: EntriesQuery, options: ReportOptions, report: CategoryReport
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
    if sort != services.DEFAULT_ENTRY_SORT:
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
    if query.sort != services.DEFAULT_ENTRY_SORT:
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
    gid: str, query: EntriesQuery, options: ReportOptions, report: services.EntriesReport
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
