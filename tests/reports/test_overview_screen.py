"""The overview: hours per category across the workspace, lazy-loaded, a failing category
marked and retried on its own row, and every row equal to that category's own report."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db.models import Count, Q

from categories.asana import NO_RETRIES
from categories.sandbox.faults import clear_faults, inject_fault
from categories.web.client import asana_client
from tests.support.sandbox import give_second_category
from tests.support.screens import category_gid, htmx, sandbox_minutes

pytestmark = pytest.mark.django_db

SEPTEMBER = "range=custom&start=2026-09-01&end=2026-09-30"
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
DESIGN = "1209000000000002"  # a seeded Northwind category (the second one)


def results(client, query: str = SEPTEMBER, **headers: str) -> str:
    """The lazy-loaded section, as HTMX asks for it once the page shows."""
    response = client.get(f"/overview/?{query}", **htmx("overview-results"), **headers)
    assert response.status_code == 200
    return response.content.decode()


def row_minutes(html: str) -> dict[str, int]:
    """gid -> the exact minutes behind each loaded row's hours."""
    found = re.findall(
        r'<tr id="overview-row-(\d+)" class="overview-row">.*?data-minutes="(\d+)"', html, re.S
    )
    return {gid: int(minutes) for gid, minutes in found}


def shown_names(html: str) -> list[str]:
    return re.findall(r'<a href="/categories/\d+/entries/\?[^"]*">([^<]+)</a>', html)


def entries_with_several_categories(start: dt.date, end: dt.date, gids: set[str]) -> int:
    from categories.sandbox.models import SandboxCategory, SandboxEntry

    listed = [SandboxCategory.find(gid) for gid in gids]
    return (
        SandboxEntry.objects.filter(entered_on__range=(start, end))
        .annotate(listed=Count("categories", filter=Q(categories__in=listed)))
        .filter(listed__gt=1)
        .count()
    )


# --- the frame -------------------------------------------------------------------------


def test_the_page_shows_at_once_and_loads_the_hours_in_a_lazy_section(admin_http, asana_calls):
    response = admin_http.get(f"/overview/?{SEPTEMBER}")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<section id="overview-results"[^>]*aria-busy="true"[^>]*\s+hx-get="/overview/\?'
        r'range=custom&amp;start=2026-09-01&amp;end=2026-09-30" hx-trigger="load" '
        r'hx-target="this" hx-swap="outerHTML" hx-push-url="false">',
        html,
    )
    assert "<progress" in html
    assert "Loading the hours of 11 categories from Asana…" in html
    assert "Engineering" in html  # names what it is loading
    assert 'id="overview-table"' not in html
    # Only the category list was asked for: no entries yet.
    assert asana_calls.to("time_tracking_entries") == []


def test_without_javascript_the_page_goes_to_the_full_overview(admin_http):
    html = admin_http.get(f"/overview/?{SEPTEMBER}").content.decode()

    full = "/overview/?range=custom&amp;start=2026-09-01&amp;end=2026-09-30&amp;full=1"
    assert f'<noscript><meta http-equiv="refresh" content="0; url={full}"></noscript>' in html
    assert f'<a href="{full}">load the whole overview in one page</a>' in html


def test_full_render_has_every_row_in_the_page(admin_http):
    html = admin_http.get(f"/overview/?{SEPTEMBER}&full=1").content.decode()

    assert html.startswith("<!doctype html>")
    assert 'id="overview-table"' in html
    assert len(row_minutes(html)) == 11
    assert "hx-trigger" not in html


def test_the_nav_links_to_the_overview_and_marks_it_current(admin_http):
    html = admin_http.get("/overview/").content.decode()

    assert '<a href="/overview/" aria-current="page">Overview</a>' in html


# --- the hours -------------------------------------------------------------------------


def test_each_row_equals_that_categorys_own_report_for_the_range(admin_http):
    html = results(admin_http)

    rows = row_minutes(html)
    assert len(rows) == 11  # the active Northwind categories
    for gid, minutes in rows.items():
        assert sandbox_minutes(gid, START, END)[1] == minutes
    engineering = category_gid("Engineering")
    screen = admin_http.get(f"/categories/{engineering}/entries/?{SEPTEMBER}").content.decode()
    shown = re.search(r'id="total-hours-decimal">([\d,.]+)<', screen).group(1)
    assert f"{rows[engineering] / 60:,.2f}" == shown


def test_rows_link_to_the_categorys_entries_with_the_same_range(admin_http):
    html = results(admin_http)

    gid = category_gid("Engineering")
    assert (
        f'<a href="/categories/{gid}/entries/?range=custom&amp;start=2026-09-01&amp;'
        f'end=2026-09-30">Engineering</a>'
    ) in html


def test_rows_are_most_hours_first_with_shares_of_the_summed_hours(admin_http):
    html = results(admin_http)

    minutes = list(row_minutes(html).values())
    assert minutes == sorted(minutes, reverse=True)
    shares = [float(share) for share in re.findall(r"([\d.]+)% <progress", html)]
    assert len(shares) == 11
    assert 99.5 <= sum(shares) <= 100.5
    summed = re.search(r'id="overview-summed-hours">([\d.]+)<', html).group(1)
    assert f"{sum(minutes) / 60:.2f}" == summed


def test_the_page_says_an_entry_with_two_categories_counts_in_both(admin_http):
    give_second_category(
        category_gid=category_gid("Engineering"),
        second_gid=category_gid("Design"),
        start=START,
        end=END,
    )
    html = results(admin_http)

    several = entries_with_several_categories(START, END, set(row_minutes(html)))
    assert several > 0
    assert "An entry with two categories counts in both." in html
    assert re.search(rf'id="overview-multi">{several}<', html)
    assert f"{several} of the " in html


def test_with_one_category_per_entry_the_rows_add_up_and_no_note_is_shown(admin_http):
    html = results(admin_http)

    assert entries_with_several_categories(START, END, set(row_minutes(html))) == 0
    assert "overview-double-count" not in html
    assert re.search(r'id="overview-multi">0<', html)


def test_archived_categories_are_left_out_unless_asked_for(admin_http):
    active = results(admin_http, "range=year-to-date")
    everything = results(admin_http, "range=year-to-date&archived=1")

    assert "Legacy migration" not in shown_names(active)
    assert "Legacy migration" in shown_names(everything)
    assert len(row_minutes(everything)) == 15
    assert '<span class="state state-archived">Archived</span>' in everything


def test_the_archived_switch_and_the_presets_keep_each_other_in_the_url(admin_http):
    html = admin_http.get("/overview/?range=last-month&archived=1").content.decode()

    assert 'href="/overview/?range=this-week&amp;archived=1"' in html
    assert re.search(r'href="/overview/\?range=last-month"[^>]*>Active categories<', html)
    assert re.search(
        r'href="/overview/\?range=last-month&amp;archived=1"[^>]*aria-current="true">'
        r"Active and archived<",
        html,
    )
    assert '<input type="hidden" name="archived" value="1">' in html


def test_charts_have_their_data_in_json_and_their_numbers_in_tables(admin_http):
    html = results(admin_http)

    bars = json.loads(
        re.search(
            r'<script id="chart-overview-categories" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    weekly = json.loads(
        re.search(
            r'<script id="chart-overview-weekly" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    minutes = row_minutes(html)
    assert bars["horizontal"] is True
    assert bars["datasets"][0]["data"] == [round(m / 60, 2) for m in minutes.values()]
    assert len(bars["barColorNames"]) == 11
    assert weekly["stacked"] is True
    assert len(weekly["datasets"]) == 11
    assert weekly["labels"][0] == "Week of 2026-09-01"
    for dataset, total in zip(weekly["datasets"], minutes.values(), strict=True):
        assert abs(sum(dataset["data"]) - total / 60) <= 0.005 * len(dataset["data"])
    assert 'id="chart-overview-categories-table"' in html
    assert 'id="chart-overview-weekly-table"' in html


def test_a_range_without_time_shows_rows_at_zero_and_no_charts(admin_http):
    html = results(admin_http, "range=custom&start=2001-01-01&end=2001-01-31")

    assert set(row_minutes(html).values()) == {0}
    assert 'id="overview-empty"' in html
    assert "chart-overview" not in html


# --- failures and retries ----------------------------------------------------------------


@pytest.fixture
def design_fails(monkeypatch):
    """The per-category fallback (the workspace listing refused), where Asana answers 503
    for one category's entries (and the client does not retry)."""
    monkeypatch.setattr(asana_client(), "retry_policy", NO_RETRIES)
    inject_fault(kind="status", status=403, path_pattern="^/time_tracking_entries")
    inject_fault(kind="status", status=503, path_pattern=f"{DESIGN}/time_tracking_entries")


def test_a_category_that_fails_is_marked_with_the_reason_and_a_retry(admin_http, design_fails):
    html = results(admin_http)

    failed = re.search(
        rf'<tr id="overview-row-{DESIGN}" class="overview-row is-failed">.*?</tr>', html, re.S
    )
    assert failed
    assert "Failed to load." in failed.group(0)
    assert "Asana is unavailable right now" in failed.group(0)
    assert re.search(
        rf'hx-get="/overview/category/{DESIGN}/\?range=custom&amp;start=2026-09-01&amp;'
        rf'end=2026-09-30" hx-target="closest tr" hx-swap="outerHTML"',
        failed.group(0),
    )
    assert ">Retry<" in failed.group(0)
    # The others still show, and the totals say what they leave out.
    assert len(row_minutes(html)) == 10
    assert "1 category could not be loaded" in html
    assert DESIGN not in json.dumps(row_minutes(html))


def test_retry_answers_that_one_row_with_its_hours(admin_http, design_fails):
    clear_faults()

    response = admin_http.get(
        f"/overview/category/{DESIGN}/?{SEPTEMBER}", **htmx(f"overview-row-{DESIGN}")
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="overview-row-{DESIGN}" class="overview-row">')
    assert row_minutes(html) == {DESIGN: sandbox_minutes(DESIGN, START, END)[1]}
    assert "Share not known until the overview is loaded again" in html
    assert f'id="overview-name-{DESIGN}" hx-preserve="true"' in html  # the name cell stays
    # The note above the table now says the totals do not count this row yet.
    assert '<p id="overview-failures" class="form-problem report-note" role="status"' in html
    assert "Design loaded on its own" in html


def test_a_retry_that_fails_again_is_still_a_failed_row(admin_http, design_fails):
    response = admin_http.get(f"/overview/category/{DESIGN}/?{SEPTEMBER}", **htmx())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Failed to load." in html
    assert ">Retry<" in html
    assert "hx-swap-oob" not in html  # the note still counts it as failed


def test_retry_without_javascript_reloads_the_whole_overview(admin_http):
    response = admin_http.get(f"/overview/category/{DESIGN}/?{SEPTEMBER}&archived=1")

    assert response.status_code == 302
    assert response["Location"] == (
        "/overview/?range=custom&start=2026-09-01&end=2026-09-30&archived=1&full=1"
    )


# --- ranges and HTMX ---------------------------------------------------------------------


def test_a_preset_with_htmx_swaps_the_panel_and_announces_it(admin_http):
    response = admin_http.get("/overview/?range=this-month", **htmx("overview-panel"))

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="overview-panel"')
    assert 'hx-trigger="load"' in html
    assert '<p id="overview-status" hx-swap-oob="innerHTML">Loading hours per category' in html


def test_the_lazy_section_announces_what_it_loaded(admin_http, design_fails):
    html = results(admin_http)

    assert html.lstrip().startswith('<section id="overview-results"')
    assert re.search(
        r'<p id="overview-status" hx-swap-oob="innerHTML">Loaded 10 of 11 categories: '
        r"[\d.]+ hours\. 1 failed to load\.</p>",
        html,
    )


def test_an_invalid_range_is_explained_and_nothing_is_asked_of_asana(admin_http, asana_calls):
    response = admin_http.get("/overview/?range=custom&start=2026-09-30&end=2026-09-01")

    html = response.content.decode()
    assert response.status_code == 422
    assert "The end date is before the start date." in html
    assert "overview-results" not in html
    assert asana_calls.category_calls() == []


def test_a_reviewer_may_see_the_overview(reviewer_http):
    assert len(row_minutes(results(reviewer_http))) == 11


# --- the same answers as the categories' own reports ----------------------------------------


@pytest.fixture
def listing_refused() -> None:
    """The token may not list the workspace's entries: each category is asked on its own."""
    inject_fault(kind="status", status=403, path_pattern="^/time_tracking_entries")


def test_rows_reuse_the_answer_each_categorys_report_just_showed(
    admin_http, asana_calls, listing_refused
):
    engineering = category_gid("Engineering")
    admin_http.get(f"/categories/{engineering}/entries/?{SEPTEMBER}")
    asana_calls.clear()

    html = results(admin_http)

    assert row_minutes(html)[engineering] == sandbox_minutes(engineering, START, END)[1]
    asked = {call.path for call in asana_calls.to("/time_tracking_categories/")}
    assert f"/time_tracking_categories/{engineering}/time_tracking_entries" not in asked
    assert len(asked) == 10  # every other category was asked once
    assert "Asana data as of" in html


def test_refresh_asks_asana_again_for_every_row(admin_http, asana_calls, listing_refused):
    results(admin_http)
    asana_calls.clear()

    page = admin_http.get(f"/overview/?{SEPTEMBER}&refresh=1").content.decode()
    assert f'hx-get="/overview/?{SEPTEMBER.replace("&", "&amp;")}&amp;refresh=1"' in page
    results(admin_http, f"{SEPTEMBER}&refresh=1")

    assert len({call.path for call in asana_calls.to("/time_tracking_categories/")}) == 11


# --- against a real (mocked) Asana: the fetches run side by side --------------------------

API = "https://app.asana.com/api/1.0"
WORKSPACE = {"gid": "1201000000000001", "name": "Northwind"}
REAL_CATEGORIES = [
    {"gid": "1209000000000001", "name": "Engineering", "color": "blue"},
    {"gid": "1209000000000002", "name": "Design", "color": "purple"},
    {"gid": "1209000000000003", "name": "Support", "color": "red"},
]


def asana_entry(gid: int, category: dict[str, str], day: dt.date, minutes: int) -> dict:
    return {
        "gid": str(gid),
        "resource_type": "time_tracking_entry",
        "duration_minutes": minutes,
        "entered_on": day.isoformat(),
        "created_by": {"gid": "1202000000000001", "name": "Alex Morgan"},
        "attributable_to": {"gid": "1203000000000001", "name": "Website redesign"},
        "categories": [category],
    }


@pytest.fixture
def real_asana(settings, monkeypatch):
    """The dashboard configured for Asana itself (so with its thread pools); `responses`
    plays Asana, from whichever thread asks."""
    import responses

    from categories.asana import RetryPolicy
    from categories.web.pool import asana_executor

    settings.ASANA_ACCESS_TOKEN = "2/1/2:test-token"
    settings.DEMO_MODE = False
    settings.ASANA_BASE_URL = API
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)
    asana_client.cache_clear()
    asana_executor.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    pool = asana_executor()
    if pool is not None:
        pool.shutdown()
    asana_executor.cache_clear()
    asana_client.cache_clear()


def test_with_asana_itself_categories_are_fetched_side_by_side_and_one_may_fail(
    real_asana, client, category_admin
):
    import threading
    from urllib.parse import parse_qs, urlparse

    import responses

    threads: set[str] = set()
    entries = {
        "1209000000000001": [asana_entry(1, REAL_CATEGORIES[0], START, 90)],
        "1209000000000003": [
            asana_entry(2, REAL_CATEGORIES[2], START + dt.timedelta(days=20), 30),
            asana_entry(3, REAL_CATEGORIES[2], END, 15),
        ],
    }

    def entries_page(request):
        threads.add(threading.current_thread().name)
        gid = request.path_url.split("/")[-2]
        if gid == DESIGN:
            return 503, {}, json.dumps({"errors": [{"message": "Service Unavailable"}]})
        query = parse_qs(urlparse(request.url).query)
        start, end = query["start_date"][0], query["end_date"][0]
        found = [e for e in entries.get(gid, []) if start <= e["entered_on"] <= end]
        return 200, {}, json.dumps({"data": found, "next_page": None})

    me = {"gid": "1", "name": "Ada", "email": "ada@example.com", "workspaces": [WORKSPACE]}
    real_asana.add(responses.GET, re.compile(rf"{re.escape(API)}/users/me\b.*"), json={"data": me})
    real_asana.add(
        responses.GET,
        re.compile(rf"{re.escape(API)}/time_tracking_categories\?.*"),
        json={"data": REAL_CATEGORIES, "next_page": None},
    )
    real_asana.add_callback(
        responses.GET,
        re.compile(rf"{re.escape(API)}/time_tracking_categories/\d+/time_tracking_entries.*"),
        callback=entries_page,
    )
    refused = {"errors": [{"message": "Forbidden: time_tracking_entries:read"}]}
    real_asana.add(
        responses.GET,
        re.compile(rf"{re.escape(API)}/time_tracking_entries\?.*"),
        json=refused,
        status=403,
    )
    client.force_login(category_admin)

    html = results(client)

    assert row_minutes(html) == {"1209000000000001": 90, "1209000000000003": 45}
    assert "Failed to load." in html
    assert "Asana is unavailable right now" in html
    # Whole categories on the report pool, their date windows on the shared Asana pool.
    assert any(name.startswith("asana") for name in threads)
    assert "MainThread" not in threads
