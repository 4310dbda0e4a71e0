"""A manager reads reports in a real Chromium: a category's report with its chart,
breakdowns and CSV downloads, and the workspace overview, loading, failing and retrying.

Expected figures come from the sandbox through Asana's own API (an AsanaClient on the
sandbox's HTTP URL), never from the dashboard being tested.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from categories.asana import AsanaClient, TimeEntry
from categories.reports.calculations import previous_period
from categories.reports.dates import preset_range
from tests.browser.pages import RECORD_VIOLATIONS, save_screenshot, sign_in

ENGINEERING = "1209000000000001"
DESIGN = "1209000000000002"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()  # the live app runs with TIME_ZONE=UTC


def asana_entries(live_app, gid: str, start: dt.date, end: dt.date) -> list[TimeEntry]:
    client = AsanaClient(base_url=live_app.sandbox_url, token="t")
    return list(client.iter_category_entries(gid, start_date=start, end_date=end))


def asana_totals(live_app, gid: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    entries = asana_entries(live_app, gid, start, end)
    return len(entries), sum(entry.duration_minutes for entry in entries)


def hours(minutes: int) -> str:
    return f"{minutes / 60:,.2f}"


def expect_report_totals(page: Page, entries: int, minutes: int) -> None:
    expect(page.locator("#total-entries")).to_have_text(str(entries))
    expect(page.locator("#total-hours-decimal")).to_have_text(hours(minutes))
    for by in ("person", "project"):
        footer = page.locator(f"#breakdown-{by} tfoot td[data-minutes]")
        expect(footer).to_have_attribute("data-minutes", str(minutes))


def chart_hours(page: Page, canvas: str) -> float:
    """The sum of what Chart.js actually drew, read from the live chart."""
    return page.evaluate(
        """(selector) => {
            const chart = Chart.getChart(document.querySelector(selector));
            return chart.data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0);
        }""",
        canvas,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_key(row: dict[str, str]) -> tuple[str, str, str, int]:
    return row["date"], row["person_gid"], row["project_gid"], int(row["minutes"])


def entry_key(entry: TimeEntry) -> tuple[str, str, str, int]:
    person = entry.created_by.gid if entry.created_by else ""
    project = entry.attributable_to.gid if entry.attributable_to else ""
    return entry.entered_on.isoformat(), person, project, entry.duration_minutes


def download(page: Page, link_id: str) -> tuple[str, list[dict[str, str]]]:
    with page.expect_download() as info:
        page.locator(link_id).click()
    return info.value.suggested_filename, read_csv(Path(info.value.path()))


# --- a category's report -----------------------------------------------------------------


def test_a_report_switches_preset_and_its_totals_chart_and_csv_agree_with_asana(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    page.emulate_media(reduced_motion="reduce")
    page.goto("/")
    page.get_by_role("link", name="Engineering", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering")

    # The default range: the last 30 days, as Asana sums them.
    start, end = today() - dt.timedelta(days=29), today()
    expect_report_totals(page, *asana_totals(live_app, ENGINEERING, start, end))

    # Another preset swaps the report in place; the URL says which.
    page.evaluate("window.__samePage = true")
    page.get_by_role("link", name="This quarter").click()
    expect(page).to_have_url(re.compile(r"range=this-quarter"))
    quarter = preset_range("this-quarter", today=today())
    count, minutes = asana_totals(live_app, ENGINEERING, quarter.start, quarter.end)
    assert count > 0
    expect_report_totals(page, count, minutes)
    assert page.evaluate("window.__samePage === true")
    expect(page.locator("#chart-hours-over-time-title")).to_have_text("Hours per week")
    assert chart_hours(page, "canvas[data-chart]") == pytest.approx(minutes / 60, abs=0.07)

    # The change against the previous quarter-length period, from Asana too.
    _, before = asana_totals(live_app, ENGINEERING, *previous_period(quarter.start, quarter.end))
    expect(page.locator("#previous-hours")).to_have_text(f"{before / 60:.2f}")
    save_screenshot(page, "report")

    # The CSV holds exactly those entries: one row each, the same minutes.
    filename, rows = download(page, "#csv-entries")
    assert filename == f"time-entries_engineering_{quarter.start}_{quarter.end}.csv"
    assert len(rows) == count
    assert sum(int(row["minutes"]) for row in rows) == minutes
    assert sum(float(row["hours"]) for row in rows) == pytest.approx(minutes / 60)
    entries = asana_entries(live_app, ENGINEERING, quarter.start, quarter.end)
    assert sorted(map(csv_key, rows)) == sorted(map(entry_key, entries))
    # And each breakdown's CSV adds up to the same total.
    for by in ("person", "project"):
        filename, rows = download(page, f"#csv-{by}")
        assert filename.endswith(f"_by-{by}.csv")
        assert sum(int(row["minutes"]) for row in rows) == minutes
        assert sum(int(row["entries"]) for row in rows) == count


def test_grouping_and_breakdown_order_live_in_a_link_a_colleague_can_open(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    # Half a year, ending a quarter ago: a range of its own (answers are reused for a minute,
    # and other tests change names under the ranges they open).
    start, end = today() - dt.timedelta(days=270), today() - dt.timedelta(days=90)
    page.goto(f"/categories/{ENGINEERING}/entries/?range=custom&start={start}&end={end}")

    page.locator("#group-month").click()
    expect(page).to_have_url(re.compile(r"group=month"))
    page.locator("#person-sort-name").click()
    expect(page).to_have_url(re.compile(r"people=name"))
    shared = page.url

    # The same link in a fresh tab opens the same report.
    other = page.context.new_page()
    other.goto(shared)
    expect(other.locator("#group-month")).to_have_attribute("aria-current", "true")
    expect(other.locator("#chart-hours-over-time-title")).to_have_text("Hours per month")
    expect(
        other.locator("#breakdown-person").get_by_role("columnheader", name="Person")
    ).to_have_attribute("aria-sort", "ascending")
    names = other.locator("#breakdown-person tbody th").all_inner_texts()
    assert names == sorted(names, key=str.casefold)
    expect_report_totals(other, *asana_totals(live_app, ENGINEERING, start, end))


def test_the_chart_follows_the_light_and_dark_themes(reviewer_page: Page) -> None:
    page = reviewer_page
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    page.goto(f"/categories/{ENGINEERING}/entries/?range=this-month")
    read_colours = """() => {
        const chart = Chart.getChart(document.querySelector("canvas[data-chart]"));
        const root = getComputedStyle(document.documentElement);
        return [chart.options.scales.y.ticks.color,
                root.getPropertyValue("--pico-muted-color").trim(),
                chart.data.datasets[0].backgroundColor,
                root.getPropertyValue("--pico-primary").trim()];
    }"""
    ticks, muted, bars, primary = page.evaluate(read_colours)
    assert (ticks, bars) == (muted, primary)

    page.emulate_media(color_scheme="dark")  # the page redraws on the scheme change
    page.wait_for_function(
        """(before) => Chart.getChart(document.querySelector("canvas[data-chart]"))
            .options.scales.y.ticks.color !== before""",
        arg=ticks,
    )
    dark_ticks, dark_muted, dark_bars, dark_primary = page.evaluate(read_colours)
    assert (dark_ticks, dark_bars) == (dark_muted, dark_primary)
    assert dark_primary != primary
    # The numbers are a table away for screen readers and anyone who prefers one.
    page.get_by_text("Show as table").click()
    expect(page.locator("#chart-hours-over-time-table")).to_be_visible()


def test_a_report_prints_on_one_clean_page(reviewer_page: Page) -> None:
    page = reviewer_page
    page.goto(f"/categories/{ENGINEERING}/entries/?range=this-quarter")
    page.emulate_media(media="print")

    for hidden in ("header.site-header", ".range-bar", ".report-tools", ".entries-listing"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#breakdown-person")).to_be_visible()
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=False)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1


# --- the overview -------------------------------------------------------------------------


def overview_rows(page: Page) -> dict[str, int]:
    """gid -> the minutes behind each loaded row."""
    return page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll("#overview-rows tr.overview-row:not(.is-failed)")]
                .map((row) => [row.id.replace("overview-row-", ""),
                               Number(row.querySelector("[data-minutes]").dataset.minutes)]))"""
    )


def test_the_overview_shows_progress_then_rows_that_match_each_categorys_report(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    page.emulate_media(reduced_motion="reduce")
    # Slow enough to see the page before the hours arrive.
    live_app.inject_fault(
        kind="latency", latency_ms=1500, method="GET", path_pattern="time_tracking_entries",
        times=1,
    )  # fmt: skip
    page.goto("/")
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("#overview-progress progress")).to_be_visible()
    expect(page.locator("#overview-progress")).to_contain_text("Loading the hours of 11 categories")

    expect(page.locator("#overview-table")).to_be_visible()
    start, end = today() - dt.timedelta(days=29), today()
    rows = overview_rows(page)
    assert len(rows) == 11
    for gid, minutes in rows.items():
        assert asana_totals(live_app, gid, start, end)[1] == minutes, gid
    # One category per entry, as Asana allows: the rows add up, no double-count note.
    expect(page.locator("#overview-multi")).to_have_text("0")
    expect(page.locator("#overview-double-count")).to_have_count(0)
    assert chart_hours(page, '[data-chart="chart-overview-categories"]') == pytest.approx(
        sum(rows.values()) / 60, abs=0.07
    )
    assert chart_hours(page, '[data-chart="chart-overview-weekly"]') == pytest.approx(
        sum(rows.values()) / 60, abs=0.3
    )
    save_screenshot(page, "overview")

    # A row opens that category's own report for the same range, with the same hours.
    page.get_by_role("link", name="Design", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/categories/{DESIGN}/entries/\?range=last-30-days$"))
    expect(page.locator("#total-hours-decimal")).to_have_text(hours(rows[DESIGN]))


def test_a_preset_on_the_overview_reloads_the_hours_for_that_range(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    page.goto("/overview/")
    expect(page.locator("#overview-table")).to_be_visible()

    page.get_by_role("link", name="Last month").click()
    expect(page).to_have_url(re.compile(r"/overview/\?range=last-month$"))
    expect(page.locator("#overview-title")).to_contain_text(
        preset_range("last-month", today=today()).start.strftime("%-d %b %Y")
    )
    month = preset_range("last-month", today=today())
    engineering = overview_rows(page)[ENGINEERING]
    assert engineering == asana_totals(live_app, ENGINEERING, month.start, month.end)[1]

    page.get_by_role("link", name="Active and archived").click()
    expect(page).to_have_url(re.compile(r"range=last-month&archived=1"))
    expect(page.locator("#overview-rows")).to_contain_text("Legacy migration")


def test_a_category_that_fails_is_marked_and_retried_without_blanking_the_others(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    # A range no other test opens: Asana's answers for it are not reused from a minute ago.
    start, end = today() - dt.timedelta(days=140), today() - dt.timedelta(days=101)
    # The per-category fallback (the workspace listing refused), one category failing.
    live_app.inject_fault(kind="status", status=403, path_pattern="^/time_tracking_entries")
    live_app.inject_fault(kind="status", status=503, path_pattern=f"{DESIGN}/time_tracking_entries")
    page.goto(f"/overview/?range=custom&start={start}&end={end}")

    failed = page.locator(f"#overview-row-{DESIGN}")
    expect(failed).to_contain_text("Failed to load.", timeout=20_000)
    expect(failed).to_contain_text("Asana is unavailable right now")
    assert len(overview_rows(page)) == 10  # the others show
    expect(page.locator("#overview-failures")).to_contain_text("1 category could not be loaded")

    live_app.clear_faults()
    page.evaluate("window.__samePage = true")
    failed.get_by_role("button", name="Retry").click()
    expect(failed.locator("[data-minutes]")).to_be_visible()
    expect(failed.locator("[data-minutes]")).to_have_attribute(
        "data-minutes", str(asana_totals(live_app, DESIGN, start, end)[1])
    )
    expect(failed.get_by_role("link", name="Design")).to_be_visible()  # the name stayed
    expect(page.locator("#overview-failures")).to_contain_text("Design loaded on its own")
    assert len(overview_rows(page)) == 11
    assert page.evaluate("window.__samePage === true")


def test_report_pages_and_their_swaps_raise_no_csp_violation_or_script_error(page: Page) -> None:
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, "e2e-reviewer")

    page.goto(f"/categories/{ENGINEERING}/entries/")
    page.get_by_role("link", name="Last month").click()
    expect(page).to_have_url(re.compile(r"range=last-month"))
    page.locator("#group-day").click()
    expect(page.locator("#group-day")).to_have_attribute("aria-current", "true")
    assert page.evaluate("window.__cspViolations") == []
    page.goto("/overview/?range=this-quarter&archived=1")
    expect(page.locator("#overview-table")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert page.evaluate("window.__cspViolations") == []
    assert page.locator("head style").count() == 0
    assert problems == []


def test_without_javascript_the_overview_renders_whole_and_a_retry_is_a_reload(
    browser, live_app
) -> None:
    context = browser.new_context(base_url=live_app.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "e2e-reviewer")
        page.goto("/overview/?range=last-month")

        # The page sends itself to the version that has every row in it.
        expect(page).to_have_url(re.compile(r"/overview/\?range=last-month&full=1$"))
        expect(page.locator("#overview-table")).to_be_visible()
        assert len(overview_rows_without_js(page)) == 11
        page.get_by_role("link", name="Active and archived").click()
        expect(page).to_have_url(re.compile(r"range=last-month&archived=1&full=1$"))
        expect(page.locator("#overview-rows")).to_contain_text("Legacy migration")
    finally:
        context.close()


def overview_rows_without_js(page: Page) -> list[str]:
    return page.locator("#overview-rows tr.overview-row:not(.is-failed)").all_inner_texts()
