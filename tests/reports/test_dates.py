"""Date presets for the entries screen, computed from a fixed "today"."""

from __future__ import annotations

import datetime as dt

import pytest

from categories.reports.dates import (
    PRESET_LABELS,
    DateRange,
    month_end,
    parse_iso_date,
    preset_range,
    quarter_end,
    quarter_start,
    week_start,
)

# A Wednesday in the middle of the second quarter.
WEDNESDAY = dt.date(2025, 5, 14)


def days(start: str, end: str) -> DateRange:
    return DateRange(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_last_30_days_ends_today_and_counts_today_as_one_of_the_thirty():
    span = preset_range("last-30-days", today=WEDNESDAY)

    assert span == days("2025-04-15", "2025-05-14")
    assert span.days == 30


def test_this_week_runs_monday_to_sunday():
    assert preset_range("this-week", today=WEDNESDAY) == days("2025-05-12", "2025-05-18")


def test_this_week_on_a_monday_starts_that_day():
    assert preset_range("this-week", today=dt.date(2025, 5, 12)).start == dt.date(2025, 5, 12)


def test_this_week_on_a_sunday_still_starts_on_the_monday_before():
    assert preset_range("this-week", today=dt.date(2025, 5, 18)).start == dt.date(2025, 5, 12)


def test_last_week_is_the_whole_previous_monday_to_sunday():
    assert preset_range("last-week", today=WEDNESDAY) == days("2025-05-05", "2025-05-11")


def test_last_week_crosses_a_year_boundary():
    assert preset_range("last-week", today=dt.date(2025, 1, 2)) == days("2024-12-23", "2024-12-29")


def test_this_month_is_the_whole_calendar_month():
    assert preset_range("this-month", today=WEDNESDAY) == days("2025-05-01", "2025-05-31")


def test_this_month_knows_leap_februaries():
    assert preset_range("this-month", today=dt.date(2024, 2, 10)) == days(
        "2024-02-01", "2024-02-29"
    )


def test_last_month_from_january_is_last_years_december():
    assert preset_range("last-month", today=dt.date(2025, 1, 31)) == days(
        "2024-12-01", "2024-12-31"
    )


def test_last_month_from_march_31_is_all_of_february():
    assert preset_range("last-month", today=dt.date(2025, 3, 31)) == days(
        "2025-02-01", "2025-02-28"
    )


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        ("2025-01-01", "2025-01-01", "2025-03-31"),
        ("2025-05-14", "2025-04-01", "2025-06-30"),
        ("2025-09-30", "2025-07-01", "2025-09-30"),
        ("2025-12-31", "2025-10-01", "2025-12-31"),
    ],
)
def test_this_quarter_is_the_calendar_quarter(today: str, start: str, end: str):
    span = preset_range("this-quarter", today=dt.date.fromisoformat(today))

    assert span == days(start, end)


def test_year_to_date_runs_from_the_first_of_january_to_today():
    assert preset_range("year-to-date", today=WEDNESDAY) == days("2025-01-01", "2025-05-14")


def test_custom_is_not_a_computed_preset():
    with pytest.raises(ValueError, match="custom"):
        preset_range("custom", today=WEDNESDAY)


def test_every_preset_but_custom_gives_a_range_that_contains_or_ends_near_today():
    for preset in PRESET_LABELS:
        if preset in ("custom", "last-week", "last-month"):
            continue
        span = preset_range(preset, today=WEDNESDAY)
        assert span.start <= WEDNESDAY <= span.end


def test_helpers_agree_on_week_month_and_quarter_edges():
    assert week_start(dt.date(2025, 5, 18)) == dt.date(2025, 5, 12)
    assert month_end(dt.date(2025, 12, 5)) == dt.date(2025, 12, 31)
    assert quarter_start(dt.date(2025, 11, 30)) == dt.date(2025, 10, 1)
    assert quarter_end(dt.date(2025, 2, 1)) == dt.date(2025, 3, 31)


@pytest.mark.parametrize("text", ["2025-05-14", " 2025-05-14 "])
def test_iso_dates_are_read(text: str):
    assert parse_iso_date(text) == dt.date(2025, 5, 14)


@pytest.mark.parametrize(
    "text", ["", "14/05/2025", "2025-5-14", "20250514", "2025-02-30", "2025-W20-3", "yesterday"]
)
def test_anything_but_a_real_yyyy_mm_dd_date_is_refused(text: str):
    assert parse_iso_date(text) is None
