"""The rows of the entries table: what each shows, worked out in Python, and their HTML.

A screen holds up to a hundred rows. Formatting each one's date, duration and chips with
template filters, and rendering them with Django's engine, cost more than everything else
on the page; the rows are rendered by the Jinja2 template `categories/entry_rows.html`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from categories.asana import Category, TimeEntry
from categories.templatetags.dashboard import duration


@dataclass(frozen=True, slots=True)
class EntryRow:
    gid: str
    day_iso: str  # for <time datetime>
    day_label: str  # "Mon 30 Jun 2025"
    person: str | None  # None when Asana names nobody
    project: str | None  # None when the entry has no project
    duration: str  # h:mm
    other_categories: tuple[Category, ...]  # the entry's categories but this screen's


def entry_rows(entries: Iterable[TimeEntry], *, category_gid: str) -> list[EntryRow]:
    return [_row(entry, category_gid) for entry in entries]


def entry_rows_html(
    entries: Iterable[TimeEntry], *, category_gid: str, focus_first_row: bool = False
) -> SafeString:
    """The <tr> elements, autoescaped, for a page template to place as they are.

    `focus_first_row`: the first row takes the focus (rows appended by "load more")."""
    rows = entry_rows(entries, category_gid=category_gid)
    context = {"rows": rows, "focus_first_row": focus_first_row}
    return mark_safe(render_to_string(ROWS_TEMPLATE, context, using="jinja2"))  # noqa: S308 - autoescaped by Jinja2


ROWS_TEMPLATE = "categories/entry_rows.html"


def _row(entry: TimeEntry, category_gid: str) -> EntryRow:
    day = entry.entered_on
    return EntryRow(
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
