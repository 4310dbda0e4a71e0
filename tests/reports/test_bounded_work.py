"""One page view does bounded work: dates inside sane bounds, a maximum span per screen,
groupings that fit the span, and a ceiling on the requests it may send to Asana.

The repros of the security audit: extreme dates answered with a 500 (OverflowError in the
previous period) or with seconds of CPU, hundreds of MB and thousands of years asked of
Asana. Each now answers 422 with words next to the field, before any request is sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from categories.reports.forms import MAX_EXPORT_DAYS, MAX_RANGE_DAYS
from tests.support.screens import category_gid

pytestmark = pytest.mark.django_db

HOSTILE_RANGES = [
    "range=custom&start=0001-01-01&end=9999-12-31",
    "range=custom&start=5000-01-01&end=9998-12-31&group=day",
    "range=custom&start=1900-01-01&end=2099-12-31",
    "range=custom&start=2000-01-01&end=2099-12-31&group=day",
]


def screens(gid: str) -> list[str]:
    return [f"/categories/{gid}/entries/", "/overview/"]


@pytest.mark.parametrize("query", HOSTILE_RANGES)
def test_hostile_ranges_are_refused_next_to_the_field_before_asking_asana(
    admin_http, asana_calls, query: str
) -> None:
    for screen in screens(category_gid("Engineering")):
        asana_calls.clear()
        response = admin_http.get(f"{screen}?{query}")
        assert response.status_code == 422, (screen, query)
        html = response.content.decode()
        assert 'aria-invalid="true"' in html
        assert "time_tracking_entries" not in " ".join(call.path for call in asana_calls)


def test_dates_outside_the_supported_years_say_which_years_are() -> None:
    from categories.reports.forms import EntriesFilterForm

    form = EntriesFilterForm(
        {"range": "custom", "start": "1999-12-31", "end": "2000-01-10"}, today=dt.date(2026, 1, 1)
    )
    assert not form.is_valid()
    assert form.errors["start"] == ["Choose a start date from 2000-01-01 to 2099-12-31."]


def test_a_screen_reads_at_most_three_years() -> None:
    from categories.reports.forms import EntriesFilterForm

    start = dt.date(2020, 1, 1)
    longest = {"range": "custom", "start": "2020-01-01"}
    fits = EntriesFilterForm(
        {**longest, "end": (start + dt.timedelta(days=MAX_RANGE_DAYS - 1)).isoformat()},
        today=dt.date(2026, 1, 1),
    )
    assert fits.is_valid()
    too_long = EntriesFilterForm(
        {**longest, "end": (start + dt.timedelta(days=MAX_RANGE_DAYS)).isoformat()},
        today=dt.date(2026, 1, 1),
    )
    assert not too_long.is_valid()
    assert "at most 3 years (1,096 days)" in too_long.errors["end"][0]


def test_an_export_may_stream_ten_years_but_no_more(admin_http) -> None:
    gid = category_gid("Engineering")
    end = timezone.localdate()
    ten_years = end - dt.timedelta(days=MAX_EXPORT_DAYS - 1)
    base = f"/categories/{gid}/export/entries.csv?range=custom&end={end.isoformat()}"
    assert admin_http.get(f"{base}&start={ten_years.isoformat()}").status_code == 200
    longer = ten_years - dt.timedelta(days=1)
    assert admin_http.get(f"{base}&start={longer.isoformat()}").status_code == 422


def test_a_range_too_busy_for_one_page_offers_the_exports_instead(admin_http, settings) -> None:
    settings.ASANA_MAX_REQUESTS_PER_VIEW = 2
    gid = category_gid("Engineering")
    end = timezone.localdate()
    start = end - dt.timedelta(days=729)
    response = admin_http.get(
        f"/categories/{gid}/entries/?range=custom&start={start.isoformat()}&end={end.isoformat()}"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Too many entries to show at once" in html
    assert "more than 2 requests to Asana" in html
    assert f"/categories/{gid}/export/entries.csv?range=custom" in html
    assert f"/categories/{gid}/export/entries.xlsx?range=custom" in html
    assert 'id="entries-start"' in html  # the range form, to narrow it


def test_the_ceiling_stops_reading_instead_of_spending_the_budget(
    settings, asana_calls, seeded_sandbox
) -> None:
    from categories.asana import TooManyPages
    from categories.reports.entries import entries_for_category

    settings.ASANA_MAX_REQUESTS_PER_VIEW = 3
    end = timezone.localdate()
    with pytest.raises(TooManyPages):
        entries_for_category(
            category_gid=category_gid("Engineering"),
            start=end - dt.timedelta(days=729),
            end=end,
            refresh=True,  # another test may have left this range in the answer cache
        )
    pages = [call for call in asana_calls if call.path.endswith("/time_tracking_entries")]
    assert len(pages) <= 3


def test_quarters_and_years_are_calendar_periods_clipped_to_the_range() -> None:
    from categories.reports.calculations import periods

    start, end = dt.date(2025, 2, 10), dt.date(2026, 1, 5)
    assert periods(start, end, "quarter") == [
        (dt.date(2025, 2, 10), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 5)),
    ]
    assert periods(start, end, "year") == [
        (dt.date(2025, 2, 10), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 5)),
    ]


@pytest.mark.parametrize(
    ("days", "offered"),
    [
        (30, ("day", "week", "month", "quarter", "year")),
        (365, ("week", "month", "quarter", "year")),
        (1096, ("month", "quarter", "year")),
    ],
)
def test_only_groupings_of_at_most_120_points_are_offered(days: int, offered: tuple) -> None:
    from categories.reports.calculations import groupings_for

    start = dt.date(2024, 1, 1)
    assert groupings_for(start, start + dt.timedelta(days=days - 1)) == offered
