"""The entries screen: one category's time entries in a date range, with totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from categories import dates, services
from categories.forms import ENTRIES_PAGE_SIZE, EntriesFilterForm, EntriesQuery
from categories.permissions import viewer_required
from categories.views.htmx import render_varying, wants_fragment

PANEL = "entries-panel"
ROWS = "entry-rows"


@dataclass(frozen=True)
class SortColumn:
    """A sortable column heading: its link and what it announces (aria-sort)."""

    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "" when not sorted by this column
    numeric: bool = False


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
    if not form.is_valid():
        # Nothing is asked of Asana until the range makes sense.
        return _invalid_range_response(request, gid, form)
    query = form.query()
    if wants_fragment(request, ROWS):
        return _more_rows_response(request, gid, query)
    category = services.get_category(gid=gid)
    report = services.entries_report(
        category_gid=gid, start=query.start, end=query.end, sort=query.sort
    )
    context = {
        **_links(gid, query),
        "gid": gid,
        "category": category,
        "form": form,
        "query": query,
        "report": report,
        "rows": report.rows(last=query.shown),
        **_paging(gid, query, report),
        "days": (query.end - query.start).days + 1,
        "wider_url": (
            "" if query.preset == "year-to-date" else entries_url(gid, query, preset="year-to-date")
        ),
    }
    template = (
        "categories/entries_panel_swap.html"
        if wants_fragment(request, PANEL)
        else "categories/entries.html"
    )
    return render_varying(request, template, context)


def _more_rows_response(request: HttpRequest, gid: str, query: EntriesQuery) -> HttpResponse:
    """ "Load more": the next rows, appended below those already shown."""
    report = services.entries_report(
        category_gid=gid, start=query.start, end=query.end, sort=query.sort
    )
    context = {
        "gid": gid,
        "query": query,
        "report": report,
        "rows": report.rows(first=query.shown - ENTRIES_PAGE_SIZE, last=query.shown),
        **_paging(gid, query, report),
        "focus_first_row": True,
    }
    return render_varying(request, "categories/entries_more_swap.html", context)


def _invalid_range_response(
    request: HttpRequest, gid: str, form: EntriesFilterForm
) -> HttpResponse:
    fallback = EntriesQuery(
        preset="custom",
        start=timezone.localdate(),
        end=timezone.localdate(),
        sort=form.cleaned_data.get("sort", services.DEFAULT_ENTRY_SORT),
        shown=ENTRIES_PAGE_SIZE,
    )
    context = {
        **_links(gid, fallback),
        "gid": gid,
        "category": None,
        "form": form,
        "query": None,
        "report": None,
        "rows": [],
    }
    template = (
        "categories/entries_panel_swap.html"
        if wants_fragment(request, PANEL)
        else "categories/entries.html"
    )
    return render_varying(request, template, context, status=422)


# --- links ------------------------------------------------------------------------------


def entries_url(gid: str, query: EntriesQuery, **changes: Any) -> str:
    """The shareable URL of the entries screen for `query`, with `changes` applied."""
    preset = changes.get("preset", query.preset)
    sort = changes.get("sort", query.sort)
    shown = changes.get("shown", ENTRIES_PAGE_SIZE)
    params: dict[str, str | int] = {"range": preset}
    if preset == dates.CUSTOM:
        params["start"] = query.start.isoformat()
        params["end"] = query.end.isoformat()
    if sort != services.DEFAULT_ENTRY_SORT:
        params["sort"] = sort
    if shown > ENTRIES_PAGE_SIZE:
        params["show"] = shown
    return f"{reverse('category_entries', args=[gid])}?{urlencode(params)}"


def _links(gid: str, query: EntriesQuery) -> dict[str, Any]:
    presets = [
        {
            "key": key,
            "label": label,
            "url": entries_url(gid, query, preset=key),
            "current": key == query.preset,
        }
        for key, label in dates.PRESET_LABELS.items()
        if key != dates.CUSTOM
    ]
    return {"presets": presets, "sort_columns": _sort_columns(gid, query)}


def _sort_columns(gid: str, query: EntriesQuery) -> list[SortColumn]:
    current = query.sort.removeprefix("-")
    descending = query.sort.startswith("-")
    columns = []
    for key, label in COLUMN_LABELS.items():
        if key == current:
            next_sort = key if descending else f"-{key}"
            aria_sort = "descending" if descending else "ascending"
        else:
            next_sort, aria_sort = FIRST_CLICK[key], ""
        columns.append(
            SortColumn(
                key=key,
                label=label,
                url=entries_url(gid, query, sort=next_sort),
                aria_sort=aria_sort,
                numeric=key == "duration",
            )
        )
    return columns


def _paging(gid: str, query: EntriesQuery, report: services.EntriesReport) -> dict[str, Any]:
    """How many rows are on screen, and the "load more" link while some are not."""
    shown = min(query.shown, report.entry_count)
    remaining = report.entry_count - shown
    return {
        "shown_count": shown,
        "next_count": min(ENTRIES_PAGE_SIZE, remaining),
        "more_url": (
            entries_url(gid, query, shown=query.shown + ENTRIES_PAGE_SIZE) if remaining else ""
        ),
    }
