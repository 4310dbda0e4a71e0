"""The report above a category's entries: change on the previous period, chart of hours
over time, breakdowns by person and project, grouping and orders in the URL."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from categories.reports import dates
from categories.reports.calculations import previous_period
from tests.support.screens import category_gid, sandbox_minutes

pytestmark = pytest.mark.django_db

SEPTEMBER = {"range": "custom", "start": "2026-09-01", "end": "2026-09-30"}


def report_url(gid: str, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/categories/{gid}/entries/" + (f"?{query}" if query else "")


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, f"no #{element_id}"
    return match.group(1)


def table(html: str, element_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{element_id}".*?</table>', html, re.S)
    assert match, f"no table #{element_id}"
    return match.group(0)


def body_minutes(table_html: str) -> list[int]:
    """The exact minutes behind each body row's hours (tfoot left out)."""
    body = table_html.split("<tfoot>")[0]
    return [int(m) for m in re.findall(r'data-minutes="(\d+)"', body)]


def row_labels(table_html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="name-cell">([^<]*)</th>', table_html)


def chart_payload(html: str, element_id: str = "chart-hours-over-time") -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def hours(minutes: int) -> str:
    return f"{(Decimal(minutes) / 60).quantize(Decimal('0.01'))}"


def test_change_is_against_the_previous_period_of_the_same_length(admin_http, asana_calls):
    gid = category_gid("Engineering")
    start, end = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
    _, minutes = sandbox_minutes(gid, start, end)
    _, before = sandbox_minutes(gid, *previous_period(start, end))  # 2 Aug - 31 Aug

    html = admin_http.get(report_url(gid, **SEPTEMBER)).content.decode()

    delta = minutes - before
    sign = "+" if delta > 0 else "\u2212" if delta < 0 else ""
    assert text_of(html, "change-hours") == f"{sign}{hours(abs(delta))}"
    assert text_of(html, "previous-hours") == hours(before)
    assert "2 Aug \u2013 31 Aug" in html
    # The previous period adjoins the range: one query covers both (demo mode: no windows).
    fetched = asana_calls.to(f"/time_tracking_categories/{gid}/time_tracking_entries")
    assert {(c.params["start_date"], c.params["end_date"]) for c in fetched} == {
        ("2026-08-02", "2026-09-30"),
    }


def test_previous_period_links_to_that_range(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(report_url(gid, **SEPTEMBER)).content.decode()

    previous = f"/categories/{gid}/entries/?range=custom&amp;start=2026-08-02&amp;end=2026-08-31"
    assert re.search(rf'<a href="{re.escape(previous)}" hx-get="[^"]+" id="previous-period">', html)


def test_breakdowns_by_person_and_project_add_up_to_the_total(admin_http):
    gid = category_gid("Engineering")
    _, minutes = sandbox_minutes(gid, dt.date(2026, 9, 1), dt.date(2026, 9, 30))

    html = admin_http.get(report_url(gid, **SEPTEMBER)).content.decode()

    for by in ("person", "project"):
        rows = body_minutes(table(html, f"breakdown-{by}"))
        assert len(rows) > 1
        assert sum(rows) == minutes
        assert rows == sorted(rows, reverse=True)  # most hours first by default
        assert f'data-minutes="{minutes}">{hours(minutes)}</td>' in table(html, f"breakdown-{by}")


def test_shares_of_a_breakdown_are_percentages_of_the_total(admin_http):
    html = admin_http.get(report_url(category_gid("Engineering"), **SEPTEMBER)).content.decode()

    shares = re.findall(r"([\d.]+)% <progress", table(html, "breakdown-person"))
    assert 99.5 <= sum(float(share) for share in shares) <= 100.5


def test_a_breakdown_is_sorted_by_the_order_in_the_url_and_the_heading_reverses_it(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(report_url(gid, people="name", **SEPTEMBER)).content.decode()

    people = row_labels(table(html, "breakdown-person"))
    assert people == sorted(people, key=str.casefold)
    assert re.search(r'aria-sort="ascending">\s*<a id="person-sort-name"', html)
    assert re.search(r'id="person-sort-name" href="[^"]*people=-name"', html)
    # The other table keeps its own (default) order; the range stays in every link.
    projects = body_minutes(table(html, "breakdown-project"))
    assert projects == sorted(projects, reverse=True)
    assert re.search(
        r'id="project-sort-entries" href="[^"]*start=2026-09-01'
        r'[^"]*people=name&amp;projects=-entries"',
        html,
    )


def test_an_unknown_breakdown_order_falls_back_to_most_hours_first(admin_http):
    html = admin_http.get(
        report_url(category_gid("Engineering"), people="drop", **SEPTEMBER)
    ).content.decode()

    rows = body_minutes(table(html, "breakdown-person"))
    assert rows == sorted(rows, reverse=True)


def test_the_chart_groups_a_month_by_day_with_every_day_in_the_json(admin_http):
    gid = category_gid("Engineering")
    _, minutes = sandbox_minutes(gid, dt.date(2026, 9, 1), dt.date(2026, 9, 30))

    html = admin_http.get(report_url(gid, **SEPTEMBER)).content.decode()

    payload = chart_payload(html)
    assert payload["labels"][0] == "2026-09-01"
    assert len(payload["labels"]) == 30
    assert payload["unit"] == "hours"
    assert payload["kind"] == "bar"
    # Each point is its period's minutes rounded once, so the sum is within rounding.
    assert abs(sum(payload["datasets"][0]["data"]) - minutes / 60) <= 30 * 0.005
    assert '<canvas data-chart="chart-hours-over-time"' in html
    assert "Hours per day" in html
    assert re.search(r'id="group-auto"[^>]*aria-current="true">Auto \(day\)', html)


def test_grouping_comes_from_the_url(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(report_url(gid, group="week", **SEPTEMBER)).content.decode()

    payload = chart_payload(html)
    assert payload["labels"][:2] == ["Week of 2026-09-01", "Week of 2026-09-07"]
    assert "Hours per week" in html
    assert re.search(r'id="group-week"[^>]*aria-current="true"', html)
    # The grouping stays when the range changes: presets carry it.
    assert f'href="/categories/{gid}/entries/?range=this-month&amp;group=week"' in html


def test_an_unknown_grouping_is_chosen_from_the_range(admin_http):
    html = admin_http.get(
        report_url(category_gid("Engineering"), group="decade", range="this-quarter")
    ).content.decode()

    assert "Hours per week" in html


def test_the_chart_has_a_table_with_the_same_numbers(admin_http):
    html = admin_http.get(report_url(category_gid("Engineering"), **SEPTEMBER)).content.decode()

    payload = chart_payload(html)
    chart_table = table(html, "chart-hours-over-time-table")
    cells = re.findall(
        r'<th scope="row">([^<]+)</th><td class="numeric">([\d.]+)</td>', chart_table
    )
    assert [label for label, _ in cells] == payload["labels"]
    assert [float(value) for _, value in cells] == payload["datasets"][0]["data"]
    assert "<summary>Show as table</summary>" in html


def test_a_long_range_is_drawn_as_a_line_by_month(admin_http):
    today = timezone.localdate()
    start = today - dt.timedelta(days=729)

    html = admin_http.get(
        report_url(
            category_gid("Engineering"),
            range="custom",
            start=start.isoformat(),
            end=today.isoformat(),
        )
    ).content.decode()

    payload = chart_payload(html)
    assert "Hours per month" in html
    assert len(payload["labels"]) in (24, 25)
    assert payload["kind"] == "bar"
    by_week = chart_payload(
        admin_http.get(
            report_url(
                category_gid("Engineering"),
                range="custom",
                start=start.isoformat(),
                end=today.isoformat(),
                group="week",
            )
        ).content.decode()
    )
    assert by_week["kind"] == "line"  # 105 bars would be slivers


def test_a_grouping_too_fine_for_the_range_is_not_charted(admin_http):
    """By day over two years would be 730 points (megabytes over decades): the range's own
    grouping is shown, and the links offer only the groupings that fit."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=729)
    url = report_url(
        category_gid("Engineering"),
        range="custom",
        start=start.isoformat(),
        end=today.isoformat(),
        group="day",
    )
    html = admin_http.get(url).content.decode()
    assert len(chart_payload(html)["labels"]) in (24, 25)
    assert "Hours per month" in html
    assert 'id="group-day"' not in html
    assert 'id="group-week"' in html


def test_csv_links_carry_the_screens_filters(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(
        report_url(gid, people="name", group="week", **SEPTEMBER)
    ).content.decode()

    query = "range=custom&amp;start=2026-09-01&amp;end=2026-09-30&amp;group=week&amp;people=name"
    assert f'href="/categories/{gid}/export/entries.csv?{query}"' in html
    assert f'href="/categories/{gid}/export/by-person.csv?{query}"' in html
    assert f'href="/categories/{gid}/export/by-project.csv?{query}"' in html


def test_a_range_without_entries_still_compares_with_the_previous_period(admin_http):
    gid = category_gid("Engineering")
    today = timezone.localdate()
    span = dates.DateRange(today + dt.timedelta(days=400), today + dt.timedelta(days=429))

    html = admin_http.get(
        report_url(gid, range="custom", start=span.start.isoformat(), end=span.end.isoformat())
    ).content.decode()

    assert 'id="entries-empty"' in html
    assert text_of(html, "change-hours") == "0.00"
    assert "chart-hours-over-time" not in html
    assert "breakdown-person" not in html


def test_the_entries_page_loads_chart_js_and_charts_js_deferred(admin_http):
    html = admin_http.get(report_url(category_gid("Engineering"))).content.decode()

    chart_js = html.index('src="/static/vendor/chartjs/chart.umd.min.js" defer')
    charts_js = html.index('src="/static/js/charts.js" defer')
    assert chart_js < charts_js


def test_names_in_the_chart_json_cannot_end_the_script(admin_http):
    gid = category_gid("Offsite <2023> 🎉")
    today = timezone.localdate()

    html = admin_http.get(
        report_url(
            gid,
            range="custom",
            start=(today - dt.timedelta(days=729)).isoformat(),
            end=today.isoformat(),
        )
    ).content.decode()

    assert "<2023>" not in html
    assert 'id="breakdown-person"' in html


def test_the_report_reuses_asanas_recent_answer_and_refresh_asks_again(admin_http, asana_calls):
    gid = category_gid("Engineering")
    admin_http.get(report_url(gid, **SEPTEMBER))
    asana_calls.clear()

    again = admin_http.get(report_url(gid, group="week", **SEPTEMBER)).content.decode()
    assert asana_calls.to("time_tracking_entries") == []  # a new grouping costs no request
    assert "Asana data as of" in again

    admin_http.get(report_url(gid, refresh="1", **SEPTEMBER))
    asked = {
        (call.params["start_date"], call.params["end_date"])
        for call in asana_calls.to("time_tracking_entries")
    }
    assert asked == {("2026-08-02", "2026-09-30")}  # the range and the period before it
