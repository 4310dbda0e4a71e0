"""The report screens: a category's entries (its time entries in a date range with
totals, and above them the summary: change against the previous period, chart,
breakdowns), the CSV exports, and the workspace overview (hours per category).

The overview's page comes back at once with the category names; the hours arrive in a
section HTMX loads next, and a category that failed there is retried on its own row.
Without JavaScript, `?full=1` renders the whole overview in one page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import replace
from functools import lru_cache
from typing import Any, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from categories import selectors as category_selectors
from categories.access.decorators import time_reviewer_required
from categories.access.roles import can_change_categories
from categories.asana import Category, TooManyPages
from categories.reports import dates, exports, selectors
from categories.reports.calculations import (
    BreakdownBy,
    CategorySummary,
    NarrowingChoices,
    Totals,
    sort_breakdown,
)
from categories.reports.entries import CategoryEntries, EntrySort
from categories.reports.exports import ExportFormat
from categories.reports.forms import (
    ENTRIES_PAGE_SIZE,
    MAX_ENTRIES_SHOWN,
    MAX_EXPORT_DAYS,
    NARROWING,
    EntriesFilterForm,
    EntriesQuery,
    NarrowingFields,
    OverviewFilterForm,
    OverviewQuery,
    WorkspaceFilterForm,
    filter_words,
)
from categories.reports.presenters import (
    ShareRow,
    breakdown_views,
    change_view,
    entry_rows_html,
    grouping_links,
    overview_charts,
    series_chart_view,
    sort_columns,
    team_rows,
)
from categories.web.htmx import render_screen, render_swap, wants_fragment
from categories.web.identity import current_workspace
from categories.web.pool import task_executor
from categories.web.problems import ProblemMessage, describe

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
@time_reviewer_required
def category_entries_page(request: HttpRequest, gid: str) -> HttpResponse:
    form = EntriesFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        # Nothing is asked of Asana until the range makes sense.
        return _invalid_range_response(request, gid, form)
    query = form.query()
    if wants_fragment(request, ROWS):
        return _more_rows_response(request, gid, query)
    # The report and the category's name are asked of Asana side by side, and the links,
    # which need neither, are worked out while Asana answers.
    executor = task_executor()
    report_future = executor.submit(
        selectors.category_report,
        category_gid=gid,
        start=query.start,
        end=query.end,
        sort=query.sort,
        granularity=query.group,
        refresh=query.refresh,
        narrowing=query.narrowing,
    )
    category_future = executor.submit(
        category_selectors.category_get, gid=gid, reuse=True, refresh=query.refresh
    )
    links = _links(gid, query)
    move_url = _entry_move_url(request, gid, query)
    wider = "" if query.preset == "year-to-date" else _url(gid, preset="year-to-date", of=query)
    try:
        found = report_future.result()
    except TooManyPages as error:
        return _too_many_response(request, gid, form, query, error, category_future)
    narrowing = _narrowing_context(form, found.choices, hidden=query.beside_narrowing())
    if narrowing["narrowing_failed"]:
        return _unknown_choice_response(request, gid, form, narrowing, category_future)
    report = found.entries
    context = {
        **narrowing,
        **links,
        **_summary_context(gid, query, found.summary),
        "gid": gid,
        "category": category_future.result(),
        "form": form,
        "query": query,
        "report": report,
        "as_of": report.as_of,
        "rows_html": entry_rows_html(
            report.rows(last=query.shown), category_gid=gid, move_url=move_url
        ),
        **_paging(gid, query, report),
        "days": (query.end - query.start).days + 1,
        "wider_url": wider,
        **_move_context(request, move_url),
    }
    return _entries_page(request, context)


def _entry_move_url(request: HttpRequest, gid: str, query: EntriesQuery) -> str:
    """Admins move entries from the table (categories.jobs); others see no controls."""
    if not can_change_categories(request.user):
        return ""
    params = {"source": gid, "start": query.start.isoformat(), "end": query.end.isoformat()}
    return f"{reverse('job_move')}?{urlencode(params)}&entry="


def _move_context(request: HttpRequest, move_url: str) -> dict[str, Any]:
    workspace = current_workspace(request)
    if not move_url or workspace is None:
        return {"move_url": ""}
    targets = category_selectors.category_list(workspace_gid=workspace.gid).categories
    return {"move_url": move_url, "move_targets": targets}


def _more_rows_response(request: HttpRequest, gid: str, query: EntriesQuery) -> HttpResponse:
    """ "Load more": the next rows, appended below those already shown."""
    report = selectors.entries_narrowed(
        category_gid=gid,
        start=query.start,
        end=query.end,
        sort=query.sort,
        narrowing=query.narrowing,
    )
    context = {
        "gid": gid,
        "query": query,
        "report": report,
        "rows_html": entry_rows_html(
            report.rows(first=query.shown - ENTRIES_PAGE_SIZE, last=query.shown),
            category_gid=gid,
            focus_first_row=True,
            move_url=_entry_move_url(request, gid, query),
        ),
        **_paging(gid, query, report),
    }
    oob = ["reports/_entries_more.html", "reports/_entries_shown.html"]
    return render_swap(request, "reports/_entry_rows_html.html", context, oob=oob)


def _too_many_response(
    request: HttpRequest,
    gid: str,
    form: EntriesFilterForm,
    query: EntriesQuery,
    error: TooManyPages,
    category_future: Future[Category],
) -> HttpResponse:
    """A range too busy to read for one page: say so next to the range (to narrow it) and
    offer the exports, which stream any number of entries."""
    exports = export_urls(gid, query.export_params())
    return _refused_entries_page(
        request,
        gid,
        form,
        query=query,
        category=category_future.result(),
        too_many=describe(error),
        entries_csv_url=exports["entries"],
        entries_xlsx_url=exports["entries_xlsx"],
    )


def _unknown_choice_response(
    request: HttpRequest,
    gid: str,
    form: EntriesFilterForm,
    narrowing: dict[str, Any],
    category_future: Future[Category],
) -> HttpResponse:
    """A person or project not among the range's: its message by the select, and links
    without it (the rest of the query kept)."""
    query = form.query()  # the unknown choice is no longer in it
    return _refused_entries_page(
        request, gid, form, query=query, category=category_future.result(), **narrowing
    )


def _invalid_range_response(
    request: HttpRequest, gid: str, form: EntriesFilterForm
) -> HttpResponse:
    return _refused_entries_page(
        request, gid, form, query=None, links_of=form.query_or_today(), category=None
    )


def _refused_entries_page(
    request: HttpRequest,
    gid: str,
    form: EntriesFilterForm,
    *,
    query: EntriesQuery | None,
    category: Category | None,
    links_of: EntriesQuery | None = None,
    **extra: Any,
) -> HttpResponse:
    """The entries screen without a report (422): the form with its message, the links
    built from `links_of` (default: `query`), and what the refusal adds."""
    context = {
        **_links(gid, links_of or query),
        "gid": gid,
        "category": category,
        "form": form,
        "query": query,
        "report": None,
        **extra,
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


def _summary_context(gid: str, query: EntriesQuery, report: CategorySummary) -> dict[str, Any]:
    def url_for(**changes: Any) -> str:
        return _url(gid, of=query, **changes)

    previous_start, previous_end = report.previous_range
    exports = export_urls(gid, query.export_params())
    return {
        "summary": report,
        "change": change_view(report),
        "previous_url": url_for(preset=dates.CUSTOM, start=previous_start, end=previous_end),
        "chart": series_chart_view(report),
        "groupings": grouping_links(query.group, report=report, url_for=url_for),
        "breakdowns": breakdown_views(report, query, url_for=url_for, export_urls=exports),
        "entries_csv_url": exports["entries"],
        "entries_xlsx_url": exports["entries_xlsx"],
    }


def _links(gid: str, query: EntriesQuery) -> dict[str, Any]:
    return {
        "presets": dates.preset_links(query.preset, lambda p: _url(gid, preset=p, of=query)),
        "range_action": reverse("category_entries", args=[gid]),
        "range_hidden": query.kept_params(),
        "sort_columns": sort_columns(
            query.sort,
            labels=COLUMN_LABELS,
            first_click=FIRST_CLICK,
            url_for=lambda sort: _url(gid, sort=sort, of=query),
            numeric=("duration",),
        ),
    }


def _paging(gid: str, query: EntriesQuery, report: CategoryEntries) -> dict[str, Any]:
    """How many rows are on screen, and the "load more" link while some are not."""
    shown = min(query.shown, report.entry_count)
    remaining = report.entry_count - shown
    more = _url(gid, shown=query.shown + ENTRIES_PAGE_SIZE, of=query) if remaining else ""
    return {
        "shown_count": shown,
        "next_count": min(ENTRIES_PAGE_SIZE, remaining),
        "more_url": more,
    }


# --- links ------------------------------------------------------------------------------


def entries_url(gid: str, query: EntriesQuery) -> str:
    """The shareable URL of the entries screen showing `query`."""
    return f"{_entries_path(gid)}?{urlencode(query.params())}"


def _url(gid: str, *, of: EntriesQuery, **changes: Any) -> str:
    """The URL of a link from the screen showing `of`: that query with `changes`."""
    return entries_url(gid, of.changed(**changes))


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


def export_urls(gid: str, params: Mapping[str, str]) -> dict[str, str]:
    """The exports of the screen's entries and breakdowns (CSV, and Excel beside each as
    `<name>_xlsx`), with the screen's filters."""
    query = urlencode(params)
    urls = {}
    for name, url_name in (
        ("entries", "category_entries_export"),
        ("person", "category_people_export"),
        ("project", "category_projects_export"),
    ):
        for extension in ("csv", "xlsx"):
            key = name if extension == "csv" else f"{name}_{extension}"
            path = reverse(url_name, kwargs={"gid": gid, "extension": extension})
            urls[key] = f"{path}?{query}"
    return urls


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- exports ----------------------------------------------------------------------------


@require_GET
@time_reviewer_required
def entries_export_download(
    request: HttpRequest, gid: str, extension: ExportFormat
) -> HttpResponse:
    """One row per entry of the range: exactly the entries the screen totals."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    # Its name names the file; a category that no longer exists stops here, with a 404.
    category = category_selectors.category_get(gid=gid, reuse=True)
    entries = selectors.entries_streamed(
        category_gid=gid, start=query.start, end=query.end, narrowing=query.narrowing
    )
    filename = exports.export_filename(
        subject=category.name,
        start=query.start,
        end=query.end,
        filters=filter_words(query.narrowing),
        extension=extension,
    )
    return _export_response(exports.entries_table(_first_page_fetched(entries)), filename)


@require_GET
@time_reviewer_required
def breakdown_export_download(
    request: HttpRequest, gid: str, by: BreakdownBy, extension: ExportFormat
) -> HttpResponse:
    """Hours per person or per project for the range, in the order the screen shows."""
    query = _range_query(request)
    if query is None:
        return _invalid_range(request)
    category = category_selectors.category_get(gid=gid, reuse=True)
    rows = selectors.breakdown_for_category(
        category_gid=gid, start=query.start, end=query.end, by=by, narrowing=query.narrowing
    )
    key, descending = query.order(by)
    filename = exports.export_filename(
        subject=category.name,
        start=query.start,
        end=query.end,
        filters=[f"by {by}", *filter_words(query.narrowing)],
        extension=extension,
    )
    table = exports.breakdown_table(sort_breakdown(rows, key=key, descending=descending), by=by)
    return _export_response(table, filename)


def _range_query(request: HttpRequest) -> EntriesQuery | None:
    """An export's range: longer ones are allowed than on screen, as nothing is held."""
    form = EntriesFilterForm(request.GET, today=timezone.localdate(), max_days=MAX_EXPORT_DAYS)
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


def _export_response(table: exports.Table, filename: str) -> HttpResponse:
    """CSV streamed as it is produced; Excel written to a temporary file first (a zip
    archive is only readable once complete), then streamed from it."""
    response: HttpResponse
    if filename.endswith(".xlsx"):
        response = FileResponse(exports.xlsx_file(table), content_type=XLSX_TYPE)
    else:
        lines = exports.csv_lines(table)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Asana's data, fetched live for whoever is signed in: nothing may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


# --- the overview -----------------------------------------------------------------------

OVERVIEW_PANEL = "overview-panel"
OVERVIEW_RESULTS = "overview-results"


@require_GET
@time_reviewer_required
def overview_page(request: HttpRequest) -> HttpResponse:
    """Hours per category over a range: the frame at once, the hours in a lazy section."""
    form = OverviewFilterForm(request.GET, today=timezone.localdate())
    query = form.overview_query()
    if not form.is_valid():
        # Nothing is asked of Asana until the range makes sense.
        context = {**_overview_context(form, query), "query": None}
        return _overview_page(request, context, status=422)
    context = _overview_context(form, query)
    workspace = current_workspace(request)
    lazy = wants_fragment(request, OVERVIEW_RESULTS)
    status = 200
    # A filtered overview is read at once: its options and its check need the entries.
    if workspace and (lazy or request.GET.get("full") == "1" or query.range.narrowing):
        results = _results(workspace.gid, form, query)
        if results["narrowing_failed"]:
            status = 422
            query = replace(query, range=form.query())  # without the unknown choice
            context = _overview_context(form, query)
        context.update(results)
    elif workspace:
        # One quick request, so the page names what it is loading while the hours come.
        context["categories"] = selectors.overview_category_list(
            workspace_gid=workspace.gid, include_archived=query.archived, refresh=query.refresh
        )
    if lazy:
        oob = ["reports/_overview_status.html"]
        return render_swap(
            request, "reports/_overview_results.html", context, oob=oob, status=status
        )
    return _overview_page(request, context, status=status)


@require_GET
@time_reviewer_required
def overview_row_page(request: HttpRequest, gid: str) -> HttpResponse:
    """One overview row again: the Retry of a row that failed to load."""
    form = OverviewFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return _invalid_range(request)
    query = form.overview_query()
    if not wants_fragment(request):
        # Without JavaScript, a retry is the whole overview again.
        return redirect(query.url(full=True))
    row = selectors.overview_row_for_category(
        category_gid=gid,
        start=query.range.start,
        end=query.range.end,
        narrowing=query.range.narrowing,
    )
    context = {**_overview_context(form, query), "item": ShareRow.of(row)}
    oob = ["reports/_overview_row_note.html"]
    return render_swap(request, "reports/_overview_row.html", context, oob=oob)


@require_GET
@time_reviewer_required
def overview_export_download(request: HttpRequest, extension: ExportFormat) -> HttpResponse:
    """The overview's rows (hours per category) for the range, most hours first."""
    form = OverviewFilterForm(request.GET, today=timezone.localdate())
    workspace = current_workspace(request)
    if not form.is_valid() or workspace is None:
        return _invalid_range(request)
    query = form.overview_query()
    found = selectors.overview_for_workspace(
        workspace_gid=workspace.gid,
        start=query.range.start,
        end=query.range.end,
        include_archived=query.archived,
        narrowing=query.range.narrowing,
    )
    if not form.check_narrowing(found.choices):
        return _unknown_choice(request, form)
    filename = exports.export_filename(
        kind="hours-per-category",
        subject=workspace.name or "workspace",
        start=query.range.start,
        end=query.range.end,
        filters=(["with archived"] if query.archived else []) + form.filter_words(),
        extension=extension,
    )
    return _export_response(exports.overview_table(found.overview), filename)


def _results(workspace_gid: str, form: OverviewFilterForm, query: OverviewQuery) -> dict[str, Any]:
    found = selectors.overview_for_workspace(
        workspace_gid=workspace_gid,
        start=query.range.start,
        end=query.range.end,
        include_archived=query.archived,
        refresh=query.refresh,
        narrowing=query.range.narrowing,
    )
    narrowing = _narrowing_context(form, found.choices, hidden=query.beside_narrowing())
    if narrowing["narrowing_failed"]:
        return narrowing
    overview = found.overview
    uncategorised = query.range_params() | query.range.narrowing_params()
    return {
        **narrowing,
        "overview": overview,
        "fallback_reason": found.fallback_reason,
        "uncategorised_url": f"{reverse('uncategorised')}?{urlencode(uncategorised)}",
        "as_of": found.as_of,
        "rows": [ShareRow.of(row) for row in overview.rows],
        "charts": overview_charts(overview) if overview.summed.minutes else [],
    }


def _overview_context(form: OverviewFilterForm, query: OverviewQuery) -> dict[str, Any]:
    return {
        "form": form,
        "query": query.range,
        "overview_query": query,
        "overview_csv_url": query.export_url("csv"),
        "overview_xlsx_url": query.export_url("xlsx"),
        "range_query": urlencode(query.range_params()),
        # The filters, carried by the rows' links (to entries that hold the row's hours).
        "filter_query": urlencode(query.range.narrowing_params()),
        "range_action": reverse("overview"),
        "range_hidden": query.kept_params(),
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


# --- across the workspace: the team and the time with no category ------------------------


@require_GET
@time_reviewer_required
def team_page(request: HttpRequest) -> HttpResponse:
    """People x categories for a range: hours per cell, per person, per category."""
    form = WorkspaceFilterForm(request.GET, today=timezone.localdate())
    workspace = current_workspace(request)
    if not form.is_valid() or workspace is None:
        return _workspace_page(request, "reports/team.html", form, "team")
    query = form.query()
    team = selectors.team_for_workspace(
        workspace_gid=workspace.gid, start=query.start, end=query.end, narrowing=query.narrowing
    )
    narrowing = _narrowing_context(form, team.choices, hidden=query.range_params())
    if narrowing["narrowing_failed"]:
        return _workspace_page(request, "reports/team.html", form, "team", narrowing)
    # A cell opens the entries it sums: its category's, of its person, in this range and
    # project; the page's own links (presets, CSV) carry the filters as they are.
    cell_params = query.range_params() | ({"project": query.project} if query.project else {})
    context = {
        **narrowing,
        "matrix": team.matrix,
        "rows": team_rows(team.matrix, params=cell_params),
        "as_of": team.as_of,
        "csv_url": f"{reverse('team_csv')}?{urlencode(form.filter_params())}",
    }
    return _workspace_page(request, "reports/team.html", form, "team", context)


@require_GET
@time_reviewer_required
def team_csv_download(request: HttpRequest) -> HttpResponse:
    form = WorkspaceFilterForm(request.GET, today=timezone.localdate())
    workspace = current_workspace(request)
    if not form.is_valid() or workspace is None:
        return _invalid_range(request)
    query = form.query()
    team = selectors.team_for_workspace(
        workspace_gid=workspace.gid, start=query.start, end=query.end, narrowing=query.narrowing
    )
    if not form.check_narrowing(team.choices):
        return _unknown_choice(request, form)
    filename = exports.export_filename(
        kind="team", subject=workspace.name or "workspace", start=query.start, end=query.end,
        filters=form.filter_words(),
    )  # fmt: skip
    return _export_response(exports.team_table(team.matrix), filename)


@require_GET
@time_reviewer_required
def uncategorised_page(request: HttpRequest) -> HttpResponse:
    """The range's entries with no category: what tidying the categories is about."""
    form = WorkspaceFilterForm(request.GET, today=timezone.localdate())
    workspace = current_workspace(request)
    template = "reports/uncategorised.html"
    if not form.is_valid() or workspace is None:
        return _workspace_page(request, template, form, "uncategorised")
    query = form.query()
    found = selectors.uncategorised_entries(
        workspace_gid=workspace.gid, start=query.start, end=query.end, narrowing=query.narrowing
    )
    narrowing = _narrowing_context(form, found.choices, hidden=query.range_params())
    if narrowing["narrowing_failed"]:
        return _workspace_page(request, template, form, "uncategorised", narrowing)
    context = {
        **narrowing,
        "entries": found.entries[:MAX_ENTRIES_SHOWN],
        "total": Totals.of(found.entries),
        "shown_all": len(found.entries) <= MAX_ENTRIES_SHOWN,
    }
    if can_change_categories(request.user):
        # Admins file the time from here (categories.jobs): the categories to file under.
        targets = category_selectors.category_list(workspace_gid=workspace.gid).categories
        context |= {"can_file": True, "move_targets": targets}
    return _workspace_page(request, template, form, "uncategorised", context)


def _workspace_page(
    request: HttpRequest,
    template: str,
    form: WorkspaceFilterForm,
    url_name: str,
    found: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A workspace-wide screen: its range bar and filters around what was `found`; 422
    while the range or a filter needs correcting (nothing, or only the options, found)."""
    query = form.shown_query()
    hidden = query.narrowing_params()
    context = {
        **(found or {}),
        "form": form,
        "query": query,
        "range_action": reverse(url_name),
        "range_hidden": hidden,
        "presets": dates.preset_links(
            query.preset,
            lambda preset: (
                f"{reverse(url_name)}?"
                + urlencode({**dates.range_params(preset, query.span), **hidden})
            ),
        ),
    }
    status = 200 if not form.errors else 422
    return render(request, template, context, status=status)


# --- the filters, on every report screen ---------------------------------------------------


def _narrowing_context(
    form: NarrowingFields, choices: NarrowingChoices, *, hidden: Mapping[str, str]
) -> dict[str, Any]:
    """The filters' form (templates/reports/_narrowing.html): the range's people and
    projects, the chosen ones, the rest of the page's query as hidden fields, and whether
    a choice in the URL was unknown (its message is then by its select)."""
    failed = not form.check_narrowing(choices)
    return {
        "choices": choices,
        "narrowing": form.narrowing(),
        "narrowing_hidden": hidden,
        "narrowing_failed": failed,
    }


def _unknown_choice(request: HttpRequest, form: NarrowingFields) -> HttpResponse:
    """An export asked for a person or project without time in its range."""
    errors = form.errors
    messages = [str(error) for field in NARROWING for error in errors.get(field, [])]
    problem = ProblemMessage("The filter needs correcting", " ".join(messages), 422)
    return render(request, "web/problem.html", {"problem": problem}, status=422)
