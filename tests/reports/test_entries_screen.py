"""The entries screen: date presets and custom ranges, sorting, totals, load more."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from categories.reports import dates
from tests.support.sandbox import give_second_category
from tests.support.screens import category_gid, htmx, sandbox_minutes

pytestmark = pytest.mark.django_db

MISSING = "1209000000999999"


def entries_url(gid: str, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/categories/{gid}/entries/" + (f"?{query}" if query else "")


def shown_dates(html: str) -> list[dt.date]:
    found = re.findall(r'<td><time datetime="(\d{4}-\d{2}-\d{2})">', html)
    return [dt.date.fromisoformat(day) for day in found]


def shown_durations(html: str) -> list[int]:
    found = re.findall(r'<td class="numeric">(\d+):(\d{2})</td>', html)
    return [int(hours) * 60 + int(minutes) for hours, minutes in found]


def total(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, f"no #{element_id}"
    return match.group(1)


def two_years() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "range": "custom",
        "start": (today - dt.timedelta(days=729)).isoformat(),
        "end": today.isoformat(),
    }


def test_default_range_is_the_last_30_days(admin_http):
    gid = category_gid("Engineering")
    today = timezone.localdate()

    html = admin_http.get(entries_url(gid)).content.decode()

    assert re.search(r'id="preset-last-30-days"[^>]*aria-current="true"', html)
    assert f'value="{(today - dt.timedelta(days=29)).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert all(today - dt.timedelta(days=29) <= day <= today for day in shown_dates(html))


def test_totals_equal_the_sum_of_the_entries_in_the_range(admin_http):
    gid = category_gid("Engineering")
    span = dates.preset_range("last-30-days", today=timezone.localdate())
    count, minutes = sandbox_minutes(gid, span.start, span.end)

    html = admin_http.get(entries_url(gid, show="5000")).content.decode()

    assert count > 0
    assert total(html, "total-entries") == str(count)
    assert total(html, "total-hours") == f"{minutes // 60}:{minutes % 60:02d}"
    assert total(html, "total-hours-decimal") == f"{minutes / 60:,.2f}"
    assert sum(shown_durations(html)) == minutes  # all rows shown, and they add up


def test_entries_are_newest_first_by_default(admin_http):
    html = admin_http.get(entries_url(category_gid("Engineering"))).content.decode()

    shown = shown_dates(html)
    assert shown == sorted(shown, reverse=True)
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a id="sort-date"', html)


def test_each_preset_is_a_link_that_carries_its_range_in_the_url(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(entries_url(gid, sort="person")).content.decode()

    for preset, label in dates.PRESET_LABELS.items():
        if preset != "custom":
            assert f'href="/categories/{gid}/entries/?range={preset}&amp;sort=person"' in html
            assert f">{label}</a>" in html


def test_this_week_preset_shows_monday_to_sunday(admin_http):
    gid = category_gid("Engineering")
    span = dates.preset_range("this-week", today=timezone.localdate())

    html = admin_http.get(entries_url(gid, range="this-week")).content.decode()

    assert (
        f'id="entries-start" name="start"\n               value="{span.start.isoformat()}"' in html
    )
    assert f"({span.days} days)" in html


def test_custom_range_is_kept_in_the_sort_links(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(
        entries_url(gid, range="custom", start="2025-01-01", end="2025-01-31")
    ).content.decode()

    assert (
        f'href="/categories/{gid}/entries/?range=custom&amp;start=2025-01-01&amp;end=2025-01-31'
        '&amp;sort=person"' in html
    )


def test_dates_without_a_range_name_are_a_custom_range(admin_http):
    gid = category_gid("Engineering")
    today = timezone.localdate()
    start = today - dt.timedelta(days=3)

    html = admin_http.get(entries_url(gid, start=start.isoformat(), end=today.isoformat()))

    assert f"({4} days)" in html.content.decode()


def test_sorting_by_duration_puts_the_longest_first_and_clicking_again_reverses(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(entries_url(gid, sort="-duration")).content.decode()

    durations = shown_durations(html)
    assert durations == sorted(durations, reverse=True)
    assert 'aria-sort="descending"' in html
    assert f'href="/categories/{gid}/entries/?range=last-30-days&amp;sort=duration"' in html


def test_sorting_by_person_is_alphabetical(admin_http):
    html = admin_http.get(
        entries_url(category_gid("Engineering"), sort="person", **two_years())
    ).content.decode()

    people = re.findall(r"</time></td>\s*<td>([^<]+)</td>", html)
    assert people == sorted(people, key=str.casefold)


def test_unknown_sort_falls_back_to_newest_first(admin_http):
    html = admin_http.get(entries_url(category_gid("Engineering"), sort="drop")).content.decode()

    shown = shown_dates(html)
    assert shown == sorted(shown, reverse=True)


def test_end_before_start_is_explained_and_nothing_is_asked_of_asana(admin_http, asana_calls):
    gid = category_gid("Engineering")

    response = admin_http.get(
        entries_url(gid, range="custom", start="2025-03-01", end="2025-02-01")
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "The end date is before the start date." in html
    assert 'aria-invalid="true" aria-describedby="entries-end-error"' in html
    assert asana_calls.category_calls() == []


def test_malformed_date_is_explained_and_nothing_is_asked_of_asana(admin_http, asana_calls):
    gid = category_gid("Engineering")

    response = admin_http.get(entries_url(gid, range="custom", start="2025-02-30", end="soon"))

    html = response.content.decode()
    assert response.status_code == 422
    assert "“2025-02-30” is not a date: write the start date as YYYY-MM-DD." in html
    assert "“soon” is not a date: write the end date as YYYY-MM-DD." in html
    assert asana_calls.category_calls() == []


def test_custom_range_needs_both_dates(admin_http, asana_calls):
    response = admin_http.get(entries_url(category_gid("Engineering"), range="custom"))

    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose a start date." in html
    assert "Choose an end date." in html
    assert asana_calls.category_calls() == []


def test_unknown_preset_is_explained(admin_http, asana_calls):
    response = admin_http.get(entries_url(category_gid("Engineering"), range="fortnight"))

    assert response.status_code == 422
    assert "Choose one of the listed date ranges." in response.content.decode()
    assert asana_calls.category_calls() == []


def test_invalid_range_with_htmx_swaps_the_panel_with_the_messages(admin_http):
    response = admin_http.get(
        entries_url(category_gid("Engineering"), range="custom", start="x", end="y"),
        **htmx("entries-panel"),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<section id="entries-panel"')
    assert "The dates need correcting" in html


def test_a_range_without_entries_shows_a_clear_empty_state(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(
        entries_url(gid, range="custom", start="2001-01-01", end="2001-12-31")
    ).content.decode()

    assert 'id="entries-empty"' in html
    assert "No time was logged against “Engineering” in this range." in html
    assert total(html, "total-entries") == "0"
    assert "<table" not in html


def test_a_long_range_shows_the_first_hundred_rows_and_a_load_more_link(admin_http):
    gid = category_gid("Engineering")
    count, _ = sandbox_minutes(gid, *_span(two_years()))

    html = admin_http.get(entries_url(gid, **two_years())).content.decode()

    assert count > 200
    assert len(shown_dates(html)) == 100
    assert total(html, "total-entries") == str(count)  # totals cover every page
    assert f"Showing 100 of {count} entries, newest first." in html
    assert re.search(r'id="entries-more-link"\s+hx-get="[^"]*show=200"', html)


def test_load_more_without_javascript_is_a_longer_page(admin_http):
    gid = category_gid("Engineering")

    html = admin_http.get(entries_url(gid, show="200", **two_years())).content.decode()

    assert len(shown_dates(html)) == 200
    assert "show=300" in html


def test_load_more_with_htmx_appends_only_the_next_rows(admin_http):
    gid = category_gid("Engineering")
    first_page = admin_http.get(entries_url(gid, show="200", **two_years())).content.decode()

    response = admin_http.get(entries_url(gid, show="200", **two_years()), **htmx("entry-rows"))

    html = response.content.decode()
    assert html.lstrip().startswith("<tr id=")
    assert shown_dates(html) == shown_dates(first_page)[100:200]
    assert 'tabindex="-1" autofocus' in html  # focus moves to the first new row
    assert 'id="entries-more" class="entries-more" hx-swap-oob="true"' in html
    assert "show=300" in html


def test_other_categories_are_chips_with_names_and_never_this_category(admin_http):
    gid = category_gid("Engineering")
    give_second_category(category_gid=gid, second_gid=category_gid("Design"))

    html = admin_http.get(entries_url(gid, **two_years(), show="5000")).content.decode()

    chips = re.findall(
        r'<span class="chip"><span class="swatch swatch-[a-z-]+" aria-hidden="true">'
        r"</span>([^<]+)</span>",
        html,
    )
    assert chips, "the entries given a second category show it"
    assert "Engineering" not in chips


def test_names_in_the_rows_are_escaped_not_markup(admin_http):
    from categories.sandbox.models import SandboxCategory

    gid = category_gid("Engineering")
    give_second_category(category_gid=gid, second_gid=category_gid("Design"))
    engineering = SandboxCategory.find(gid)
    # A category sharing entries with Engineering: its name is a chip on Engineering's rows.
    sharing = SandboxCategory.objects.filter(entries__categories=engineering)
    other = sharing.exclude(pk=engineering.pk).first()
    SandboxCategory.objects.filter(pk=other.pk).update(name='<img src=x onerror="alert(1)">')

    html = admin_http.get(entries_url(gid, **two_years(), show="5000")).content.decode()

    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "<img src=x" not in html


def test_durations_are_hours_and_minutes(admin_http):
    html = admin_http.get(entries_url(category_gid("Engineering"))).content.decode()

    assert re.search(r'<td class="numeric">\d+:\d{2}</td>', html)


def test_htmx_filter_change_swaps_the_panel_and_announces_the_totals(admin_http):
    response = admin_http.get(
        entries_url(category_gid("Engineering"), range="this-month"), **htmx("entries-panel")
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="entries-panel"')
    assert '<p id="entries-status" hx-swap-oob="innerHTML">' in html
    # The report above the table comes along, chart data included; the scripts that
    # draw it are already on the page.
    assert 'id="entries-change"' in html
    assert '<script id="chart-hours-over-time" type="application/json">' in html
    assert "<script src=" not in html


def test_reviewer_can_review_any_categorys_entries(reviewer_http):
    gid = category_gid("Legacy migration")  # archived, with history

    response = reviewer_http.get(entries_url(gid, **two_years()))

    assert response.status_code == 200
    assert "Legacy migration" in response.content.decode()


def test_entries_of_a_category_that_no_longer_exists_say_so_with_a_link_back(admin_http):
    response = admin_http.get(entries_url(MISSING))

    html = response.content.decode()
    assert response.status_code == 404
    assert "no longer exists" in html
    assert '<a href="/">Back to the categories</a>' in html


def test_names_on_the_entries_screen_are_shown_literally(admin_http):
    gid = category_gid("Offsite <2023> 🎉")

    html = admin_http.get(entries_url(gid, **two_years())).content.decode()

    assert "Offsite &lt;2023&gt; 🎉" in html
    assert "<2023>" not in html


def _span(params: dict[str, str]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])


def test_links_follow_the_script_prefix_the_dashboard_is_served_under():
    from django.urls import get_script_prefix, set_script_prefix

    from categories.reports.forms import EntriesQuery
    from categories.reports.views import entries_url

    query = EntriesQuery(
        preset="custom",
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 9, 30),
        sort="-date",
        shown=100,
    )
    gid = "1209000000000001"
    before = get_script_prefix()
    try:
        plain = entries_url(gid, query)
        set_script_prefix("/dash/")
        served_under = entries_url(gid, query)
    finally:
        set_script_prefix(before)

    assert plain.startswith(f"/categories/{gid}/entries/?")
    assert served_under.startswith(f"/dash/categories/{gid}/entries/?")
    assert entries_url(gid, query) == plain
