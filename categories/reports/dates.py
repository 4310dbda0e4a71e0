"""Date ranges for the report screens: named presets computed from "today".

Weeks start on Monday (ISO 8601, as Asana's timesheets do); quarters are calendar quarters.
Everything takes `today` as an argument so it is testable and free of clocks and time zones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Preset = Literal[
    "last-30-days",
    "this-week",
    "last-week",
    "this-month",
    "last-month",
    "this-quarter",
    "year-to-date",
    "custom",
]

DEFAULT_PRESET: Preset = "last-30-days"
CUSTOM: Preset = "custom"

# In the order the screen offers them.
PRESET_LABELS: dict[Preset, str] = {
    "last-30-days": "Last 30 days",
    "this-week": "This week",
    "last-week": "Last week",
    "this-month": "This month",
    "last-month": "Last month",
    "this-quarter": "This quarter",
    "year-to-date": "Year to date",
    "custom": "Custom",
}

# Strictly YYYY-MM-DD: date.fromisoformat would also take "20240101" and week dates.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_iso_date(text: str) -> dt.date | None:
    """The date written as YYYY-MM-DD, or None when `text` is anything else."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # e.g. 2024-02-30
        return None


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)


def quarter_start(day: dt.date) -> dt.date:
    first_month = 3 * ((day.month - 1) // 3) + 1
    return dt.date(day.year, first_month, 1)


def quarter_end(day: dt.date) -> dt.date:
    return month_end(quarter_start(day).replace(month=quarter_start(day).month + 2))


def preset_range(preset: Preset, *, today: dt.date) -> DateRange:
    """The days a preset stands for. Whole weeks, months and quarters, even if they run
    past today: time logged ahead (a planned day off) belongs to that period too."""
    if preset == "last-30-days":
        return DateRange(today - dt.timedelta(days=29), today)
    if preset == "this-week":
        monday = week_start(today)
        return DateRange(monday, monday + dt.timedelta(days=6))
    if preset == "last-week":
        monday = week_start(today) - dt.timedelta(days=7)
        return DateRange(monday, monday + dt.timedelta(days=6))
    if preset == "this-month":
        return DateRange(month_start(today), month_end(today))
    if preset == "last-month":
        last_day = month_start(today) - dt.timedelta(days=1)
        return DateRange(month_start(last_day), last_day)
    if preset == "this-quarter":
        return DateRange(quarter_start(today), quarter_end(today))
    if preset == "year-to-date":
        return DateRange(dt.date(today.year, 1, 1), today)
    raise ValueError(f"{preset!r} is not a preset with computed dates.")


# --- ranges in URLs ----------------------------------------------------------------------


def range_params(preset: Preset, span: DateRange) -> dict[str, str]:
    """The URL parameters that name a range: ?range=<preset>, or a custom range's dates.

    A preset is kept by name, not by its dates, so a link sent to a colleague next month
    still means "last month" (as the screen's preset buttons do).
    """
    params = {"range": preset}
    if preset == CUSTOM:
        params["start"] = span.start.isoformat()
        params["end"] = span.end.isoformat()
    return params


@dataclass(frozen=True)
class PresetLink:
    """One preset button of a range bar."""

    key: Preset
    label: str
    url: str
    current: bool


def preset_links(current: Preset, url_for: Callable[[Preset], str]) -> list[PresetLink]:
    """The range bar's preset buttons, in screen order, `url_for` giving each one's URL."""
    return [
        PresetLink(key=key, label=label, url=url_for(key), current=key == current)
        for key, label in PRESET_LABELS.items()
        if key != CUSTOM
    ]
