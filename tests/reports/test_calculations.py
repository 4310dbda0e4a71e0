"""Aggregations against hand-computed fixtures (see tests/reports/__init__.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils.html import json_script

from categories.reports.calculations import (
    NO_PROJECT,
    UNKNOWN_PERSON,
    BreakdownRow,
    CategoryLoad,
    Totals,
    bar_chart,
    breakdown,
    build_overview,
    build_summary,
    chart_payload,
    compare,
    granularity_for,
    minutes_to_hours,
    previous_period,
    series_chart,
    sort_breakdown,
    time_series,
    weekly_stacked,
    within_range,
)
from tests.support.report_entries import (
    ALPHA,
    ANN,
    ARCHIVED,
    BOB,
    MARKUP,
    OCT_END,
    OCT_START,
    TRAVEL,
    WORKSHOPS,
    make_entry,
    october_entries,
)

D = dt.date


# --- hours and totals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(0, "0.00"), (1, "0.02"), (20, "0.33"), (45, "0.75"), (50, "0.83"), (90, "1.50")],
)
def test_hours_are_minutes_over_60_rounded_to_two_places(minutes, hours):
    assert minutes_to_hours(minutes) == Decimal(hours)


def test_totals_count_entries_and_minutes_including_both_range_boundaries():
    totals = Totals.of(october_entries())

    assert (totals.entries, totals.minutes, totals.hours) == (4, 180, Decimal("3.00"))


def test_totals_of_no_entries_are_zero():
    assert Totals.of([]) == Totals(entries=0, minutes=0)
    assert Totals.of([]).hours == Decimal("0.00")


def test_within_range_keeps_the_first_and_last_day_and_drops_the_rest():
    entries = [
        make_entry("a", "2026-09-30", 10),
        make_entry("b", OCT_START, 20),
        make_entry("c", OCT_END, 30),
        make_entry("d", "2026-11-01", 40),
    ]

    kept = within_range(entries, start=OCT_START, end=OCT_END)

    assert [entry.gid for entry in kept] == ["b", "c"]


# --- previous period and change --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 10, 1), D(2026, 10, 31), (D(2026, 8, 31), D(2026, 9, 30))),
        (D(2026, 10, 1), D(2026, 10, 1), (D(2026, 9, 30), D(2026, 9, 30))),
        (D(2026, 1, 1), D(2026, 1, 31), (D(2025, 12, 1), D(2025, 12, 31))),
        (D(2024, 3, 1), D(2024, 3, 31), (D(2024, 1, 30), D(2024, 2, 29))),
    ],
)
def test_previous_period_has_the_same_length_and_ends_the_day_before(start, end, expected):
    previous = previous_period(start, end)

    assert previous == expected
    assert (previous[1] - previous[0]) == (end - start)


def test_previous_period_refuses_a_range_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        previous_period(D(2026, 10, 2), D(2026, 10, 1))


def test_change_gives_absolute_hours_and_percentage():
    change = compare(Totals(entries=4, minutes=180), Totals(entries=2, minutes=120))

    assert change.minutes == 60
    assert change.hours == Decimal("1.00")
    assert change.entries == 2
    assert change.percent == Decimal("50.0")
    assert change.direction == "up"


def test_change_downwards_is_negative_and_rounded_to_one_place():
    change = compare(Totals(entries=1, minutes=100), Totals(entries=3, minutes=300))

    assert change.hours == Decimal("-3.33")
    assert change.percent == Decimal("-66.7")
    assert change.direction == "down"


def test_percentage_change_is_none_when_the_previous_period_had_no_time():
    change = compare(Totals(entries=1, minutes=30), Totals(entries=0, minutes=0))

    assert change.percent is None
    assert change.hours == Decimal("0.50")
    assert change.direction == "up"


def test_no_change_is_same_with_zero_percent():
    change = compare(Totals(entries=1, minutes=30), Totals(entries=2, minutes=30))

    assert (change.minutes, change.percent, change.direction) == (0, Decimal("0.0"), "same")


def test_two_empty_periods_are_the_same_without_a_percentage():
    change = compare(Totals(entries=0, minutes=0), Totals(entries=0, minutes=0))

    assert (change.percent, change.direction) == (None, "same")


# --- breakdowns ------------------------------------------------------------------------


def _summary(rows: list[BreakdownRow]) -> list[tuple[str, str, int, Decimal, int]]:
    return [(row.key, row.label, row.minutes, row.hours, row.entries) for row in rows]


def test_breakdown_by_person_with_unknown_person_and_most_hours_first():
    rows = breakdown(october_entries(), by="person")

    assert _summary(rows) == [
        (ANN.gid, ANN.name, 135, Decimal("2.25"), 2),
        (BOB.gid, BOB.name, 30, Decimal("0.50"), 1),
        ("", UNKNOWN_PERSON, 15, Decimal("0.25"), 1),
    ]
    assert [row.share for row in rows] == pytest.approx([3 / 4, 1 / 6, 1 / 12])


def test_breakdown_by_project_with_no_project_and_markup_kept_as_plain_text():
    rows = breakdown(october_entries(), by="project")

    assert _summary(rows) == [
        (ALPHA.gid, ALPHA.name, 120, Decimal("2.00"), 2),
        ("", NO_PROJECT, 45, Decimal("0.75"), 1),
        (MARKUP.gid, "<script>alert(1)</script>", 15, Decimal("0.25"), 1),
    ]
    assert [row.share for row in rows] == pytest.approx([2 / 3, 1 / 4, 1 / 12])


def test_breakdown_shares_sum_to_one():
    entries = [make_entry(str(i), OCT_START, 7, person=ANN if i % 3 else BOB) for i in range(10)]

    assert sum(row.share for row in breakdown(entries, by="person")) == pytest.approx(1.0)


def test_breakdown_of_no_entries_is_empty():
    assert breakdown([], by="person") == []


def test_breakdown_minutes_add_up_to_the_totals():
    entries = october_entries()

    for by in ("person", "project"):
        assert sum(row.minutes for row in breakdown(entries, by=by)) == Totals.of(entries).minutes


def _row(label: str, minutes: int, entries: int) -> BreakdownRow:
    return BreakdownRow(key=label, label=label, minutes=minutes, entries=entries, share=0.0)


def test_sort_breakdown_by_hours_breaks_ties_by_name():
    rows = [_row("b", 60, 1), _row("C", 30, 5), _row("a", 60, 2)]

    assert [r.label for r in sort_breakdown(rows, key="hours")] == ["a", "b", "C"]
    assert [r.label for r in sort_breakdown(rows, key="hours", descending=False)] == [
        "C",
        "a",
        "b",
    ]


def test_sort_breakdown_by_name_ignores_case():
    rows = [_row("b", 1, 1), _row("C", 1, 1), _row("a", 1, 1)]

    assert [r.label for r in sort_breakdown(rows, key="name", descending=False)] == ["a", "b", "C"]
    assert [r.label for r in sort_breakdown(rows, key="name")] == ["C", "b", "a"]


def test_sort_breakdown_by_entries():
    rows = [_row("b", 60, 1), _row("C", 30, 5), _row("a", 90, 2)]

    assert [r.label for r in sort_breakdown(rows, key="entries")] == ["C", "a", "b"]


# --- time series -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "granularity"),
    [
        (D(2026, 10, 1), D(2026, 10, 1), "day"),
        (D(2026, 10, 1), D(2026, 10, 31), "day"),
        (D(2026, 10, 1), D(2026, 11, 1), "week"),
        (D(2026, 1, 1), D(2026, 7, 1), "week"),  # 182 days
        (D(2026, 1, 1), D(2026, 7, 2), "month"),  # 183 days
    ],
)
def test_granularity_follows_the_range_length(start, end, granularity):
    assert granularity_for(start, end) == granularity


def test_daily_series_has_every_day_with_zeros_and_both_boundary_days():
    points = time_series(october_entries(), start=OCT_START, end=OCT_END, granularity="day")

    assert len(points) == 31
    assert [(p.label, p.minutes) for p in points if p.minutes] == [
        ("2026-10-01", 90),
        ("2026-10-15", 60),
        ("2026-10-31", 30),
    ]
    assert all(p.period_start == p.period_end for p in points)


def test_weekly_series_starts_mid_week_and_clips_the_first_and_last_week():
    points = time_series(october_entries(), start=OCT_START, end=OCT_END, granularity="week")

    assert [(p.period_start, p.period_end, p.minutes) for p in points] == [
        (D(2026, 10, 1), D(2026, 10, 4), 90),  # Thursday..Sunday
        (D(2026, 10, 5), D(2026, 10, 11), 0),
        (D(2026, 10, 12), D(2026, 10, 18), 60),
        (D(2026, 10, 19), D(2026, 10, 25), 0),
        (D(2026, 10, 26), D(2026, 10, 31), 30),  # Monday..Saturday
    ]
    assert points[0].label == "Week of 2026-10-01"


def test_weekly_series_across_a_new_year_keeps_the_monday_to_sunday_week_whole():
    entries = [
        make_entry("a", "2026-12-30", 60),
        make_entry("b", "2027-01-03", 30),  # Sunday: same week as 30 December
        make_entry("c", "2027-01-04", 15),  # Monday: the next week
        make_entry("d", "2027-01-12", 10),  # last day of the range
    ]

    points = time_series(entries, start=D(2026, 12, 30), end=D(2027, 1, 12), granularity="week")

    assert [(p.period_start, p.period_end, p.minutes) for p in points] == [
        (D(2026, 12, 30), D(2027, 1, 3), 90),
        (D(2027, 1, 4), D(2027, 1, 10), 15),
        (D(2027, 1, 11), D(2027, 1, 12), 10),
    ]


def test_monthly_series_clips_months_and_splits_at_month_ends():
    entries = [
        make_entry("a", "2026-11-15", 5),  # first day of the range
        make_entry("b", "2026-11-30", 10),
        make_entry("c", "2026-12-01", 20),
        make_entry("d", "2027-02-10", 40),  # last day of the range
    ]

    points = time_series(entries, start=D(2026, 11, 15), end=D(2027, 2, 10), granularity="month")

    assert [(p.label, p.period_start, p.period_end, p.minutes) for p in points] == [
        ("2026-11", D(2026, 11, 15), D(2026, 11, 30), 15),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31), 20),
        ("2027-01", D(2027, 1, 1), D(2027, 1, 31), 0),
        ("2027-02", D(2027, 2, 1), D(2027, 2, 10), 40),
    ]


def test_series_of_no_entries_is_all_zeros_but_every_period_is_there():
    points = time_series([], start=OCT_START, end=OCT_END, granularity="week")

    assert len(points) == 5
    assert {p.minutes for p in points} == {0}
    assert {p.hours for p in points} == {Decimal("0.00")}


def test_series_defaults_to_the_granularity_for_the_range():
    points = time_series([], start=D(2026, 1, 1), end=D(2026, 12, 31))

    assert [p.label for p in points][:2] == ["2026-01", "2026-02"]
    assert len(points) == 12


def test_series_leaves_out_entries_outside_the_range():
    entries = [make_entry("a", "2026-09-30", 10), make_entry("b", OCT_START, 20)]

    points = time_series(entries, start=OCT_START, end=OCT_END, granularity="day")

    assert sum(p.minutes for p in points) == 20


# --- chart data ------------------------------------------------------------------------


def test_chart_payload_is_plain_json_with_hours_as_numbers():
    points = time_series(october_entries(), start=OCT_START, end=OCT_END, granularity="week")

    payload = chart_payload(series_chart(points))

    assert json.loads(json.dumps(payload)) == payload
    assert payload["labels"][0] == "Week of 2026-10-01"
    assert payload["datasets"] == [
        {"label": "Hours", "data": [1.5, 0.0, 1.0, 0.0, 0.5], "colorName": "none"}
    ]


def test_chart_payload_keeps_markup_as_text_and_json_script_escapes_it():
    payload = chart_payload(bar_chart(breakdown(october_entries(), by="project")))
    embedded = str(json_script(payload, "project-chart"))

    assert "<script>alert(1)</script>" in payload["labels"]
    assert "\\u003Cscript\\u003Ealert(1)" in embedded
    assert "<script>alert" not in embedded


# --- one category's report: everything agrees ------------------------------------------


def test_report_totals_breakdowns_and_series_agree_in_minutes():
    entries = october_entries()

    report = build_summary(
        entries=iter(entries),  # one-shot: the report must read it only once
        start=OCT_START,
        end=OCT_END,
        previous=Totals(entries=2, minutes=120),
    )

    assert report.totals == Totals(entries=4, minutes=180)
    assert sum(row.minutes for row in report.by_person) == 180
    assert sum(row.minutes for row in report.by_project) == 180
    assert sum(point.minutes for point in report.series) == 180
    assert sum(row.entries for row in report.by_person) == 4
    assert report.granularity == "day"
    assert report.change.percent == Decimal("50.0")
    assert report.previous_range == (D(2026, 8, 31), D(2026, 9, 30))
    assert sum(report.chart.datasets[0].hours) == Decimal("3.00")


def test_report_of_a_range_without_entries():
    report = build_summary(entries=[], start=OCT_START, end=OCT_END, previous=Totals(0, 0))

    assert report.totals == Totals(0, 0)
    assert report.by_person == report.by_project == ()
    assert len(report.series) == 31
    assert report.change.percent is None


# --- overview --------------------------------------------------------------------------


def _workspace_entries():
    """Hand-computed: Workshops 120 min (entries 1, 2), Travel 90 min (entries 2, 5).

    Entry 2 has both categories and counts in both: summed 210 min, distinct 180 min.
    Entry 3 has no category (60 min) and entry 4 only the archived one: neither is in the
    listed categories' own entries.
    """
    return [
        make_entry("1", OCT_START, 90, categories=(WORKSHOPS,)),
        make_entry("2", OCT_END, 30, categories=(WORKSHOPS, TRAVEL)),
        make_entry("3", "2026-10-10", 60, categories=()),
        make_entry("4", "2026-10-10", 15, categories=(ARCHIVED,)),
        make_entry("5", "2026-10-12", 60, categories=(TRAVEL,)),
    ]


def _overview_of(categories, entries):
    """The overview from each category's own entries, as its own report lists them."""
    loads = [
        CategoryLoad(category, tuple(e for e in entries if category in e.categories))
        for category in categories
    ]
    return build_overview(loads, start=OCT_START, end=OCT_END)


def _overview():
    return _overview_of([WORKSHOPS, TRAVEL], _workspace_entries())


def test_entry_with_two_categories_counts_in_both():
    overview = _overview()

    assert [(r.category, r.minutes, r.entries) for r in overview.rows] == [
        (WORKSHOPS, 120, 2),
        (TRAVEL, 90, 2),
    ]
    assert overview.multi_category_entries == 1
    assert overview.summed == Totals(entries=4, minutes=210)
    assert overview.distinct == Totals(entries=3, minutes=180)


def test_overview_shares_are_of_the_summed_category_hours():
    overview = _overview()

    assert [row.share for row in overview.rows] == pytest.approx([120 / 210, 90 / 210])
    assert sum(row.share for row in overview.rows) == pytest.approx(1.0)


def test_overview_includes_archived_categories_only_when_listed():
    overview = _overview_of([WORKSHOPS, TRAVEL, ARCHIVED], _workspace_entries())

    assert [(r.category, r.minutes) for r in overview.rows] == [
        (WORKSHOPS, 120),
        (TRAVEL, 90),
        (ARCHIVED, 15),
    ]


def test_overview_row_equals_that_categorys_own_report():
    entries = _workspace_entries()
    overview = _overview()

    for row in overview.rows:
        own = [entry for entry in entries if row.category in entry.categories]
        report = build_summary(entries=own, start=OCT_START, end=OCT_END, previous=Totals(0, 0))
        assert (row.minutes, row.entries, row.hours) == (
            report.totals.minutes,
            report.totals.entries,
            report.totals.hours,
        )


def test_overview_listed_category_without_entries_shows_zero():
    overview = _overview_of([WORKSHOPS, TRAVEL], [])

    assert [(r.minutes, r.share, r.status) for r in overview.rows] == [
        (0, 0.0, "ok"),
        (0, 0.0, "ok"),
    ]


def test_weekly_stacked_has_one_dataset_per_category_over_the_same_weeks():
    entries = _workspace_entries()
    by_category = {
        category: [e for e in entries if category in e.categories]
        for category in (WORKSHOPS, TRAVEL)
    }

    chart = weekly_stacked(by_category, start=OCT_START, end=OCT_END)

    assert chart.labels[0] == "Week of 2026-10-01"
    assert len(chart.labels) == 5
    assert [(d.label, d.color, d.hours) for d in chart.datasets] == [
        ("Client workshops", "blue", tuple(Decimal(h) for h in ("1.5", "0", "0", "0", "0.5"))),
        ("Travel", "orange", tuple(Decimal(h) for h in ("0", "0", "1", "0", "0.5"))),
    ]
    assert _overview().weekly == chart


def test_overview_bar_chart_leaves_out_failed_categories():
    overview = build_overview(
        [
            CategoryLoad(WORKSHOPS, tuple(october_entries())),
            CategoryLoad(TRAVEL, error="Asana is unavailable right now."),
        ],
        start=OCT_START,
        end=OCT_END,
    )

    assert overview.chart.labels == ("Client workshops",)
    assert [d.label for d in overview.weekly.datasets] == ["Client workshops"]
    assert [(r.status, r.share) for r in overview.rows] == [("ok", 1.0), ("failed", None)]
