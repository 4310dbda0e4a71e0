"""A manager reviews a category's time in a real Chromium: presets, a custom range,
sorting and "load more", with totals checked against the sandbox's own tables."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from playwright.sync_api import Page, expect

from categories.reports.dates import preset_range
from tests.browser.pages import save_screenshot

TOTALS_SQL = """
    SELECT COUNT(*), COALESCE(SUM(entry.duration_minutes), 0)
    FROM sandbox_sandboxentry AS entry
    JOIN sandbox_sandboxentry_categories AS link ON link.sandboxentry_id = entry.id
    JOIN sandbox_sandboxcategory AS category ON category.id = link.sandboxcategory_id
    WHERE category.name = ? AND entry.entered_on BETWEEN ? AND ?
"""


def sandbox_totals(live_app, category: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(entries, minutes) read straight from the sandbox's database, not through the app."""
    with sqlite3.connect(live_app.workdir / "db.sqlite3") as database:
        row = database.execute(
            TOTALS_SQL, (category, start.isoformat(), end.isoformat())
        ).fetchone()
    return int(row[0]), int(row[1])


def shown_range(page: Page) -> tuple[dt.date, dt.date]:
    start = page.get_by_label("Start date").input_value()
    end = page.get_by_label("End date").input_value()
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


def expect_totals(page: Page, entries: int, minutes: int) -> None:
    expect(page.locator("#total-entries")).to_have_text(str(entries))
    expect(page.locator("#total-hours")).to_have_text(f"{minutes // 60}:{minutes % 60:02d}")
    expect(page.locator("#total-hours-decimal")).to_have_text(f"{minutes / 60:,.2f}")


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()  # the live app runs with TIME_ZONE=UTC


def open_engineering(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Engineering", exact=True).click()
    expect(page).to_have_url(re.compile(r"/categories/\d+/entries/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering")


def test_manager_reviews_entries_with_a_preset_and_a_custom_range(
    reviewer_page: Page, live_app
) -> None:
    page = reviewer_page
    open_engineering(page)

    # Default: the last 30 days, totals equal to the sandbox's own sum for the range.
    expect(page.get_by_role("link", name="Last 30 days")).to_have_attribute("aria-current", "true")
    start, end = shown_range(page)
    assert (start, end) == (today() - dt.timedelta(days=29), today())
    expect_totals(page, *sandbox_totals(live_app, "Engineering", start, end))
    save_screenshot(page, "entries")

    # A preset: this month (a whole calendar month), kept in the URL.
    page.evaluate("window.__samePage = true")
    page.get_by_role("link", name="This month").click()
    expect(page).to_have_url(re.compile(r"range=this-month"))
    expect(page.get_by_role("link", name="This month")).to_have_attribute("aria-current", "true")
    month = preset_range("this-month", today=today())
    assert shown_range(page) == (month.start, month.end)
    expect_totals(page, *sandbox_totals(live_app, "Engineering", month.start, month.end))
    assert page.evaluate("window.__samePage === true")  # swapped, not reloaded

    # A custom range.
    custom_start, custom_end = today() - dt.timedelta(days=120), today() - dt.timedelta(days=61)
    page.get_by_label("Start date").fill(custom_start.isoformat())
    page.get_by_label("End date").fill(custom_end.isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        re.compile(rf"range=custom&start={custom_start.isoformat()}&end={custom_end.isoformat()}")
    )
    expected = sandbox_totals(live_app, "Engineering", custom_start, custom_end)
    expect_totals(page, *expected)
    assert expected[0] > 0

    # Back returns to the preset (the URL carries everything).
    page.go_back()
    expect(page).to_have_url(re.compile(r"range=this-month"))
    expect_totals(page, *sandbox_totals(live_app, "Engineering", month.start, month.end))


def test_sorting_by_a_column_and_loading_more_rows(reviewer_page: Page, live_app) -> None:
    page = reviewer_page
    open_engineering(page)
    start = today() - dt.timedelta(days=729)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(today().isoformat())
    page.get_by_role("button", name="Apply").click()
    count, minutes = sandbox_totals(live_app, "Engineering", start, today())
    expect_totals(page, count, minutes)
    rows = page.locator("#entry-rows tr")
    expect(rows).to_have_count(100)
    assert count > 200

    # Load more appends the next hundred and moves focus to the first of them.
    page.get_by_role("button", name="Show 100 more").click()
    expect(rows).to_have_count(200)
    expect(rows.nth(100)).to_be_focused()
    expect(page).to_have_url(re.compile(r"show=200"))
    expect(page.locator("#entries-shown")).to_contain_text(f"Showing 200 of {count} entries")

    # Sort by duration: longest first, announced with aria-sort.
    page.get_by_role("link", name="Duration").click()
    expect(page.get_by_role("columnheader", name="Duration")).to_have_attribute(
        "aria-sort", "descending"
    )
    durations = [
        _minutes(text) for text in page.locator("#entry-rows td.numeric").all_inner_texts()
    ]
    assert durations == sorted(durations, reverse=True)
    expect_totals(page, count, minutes)  # the order changes, the totals do not


def test_dates_that_make_no_sense_are_explained_in_place(reviewer_page: Page) -> None:
    page = reviewer_page
    open_engineering(page)

    page.get_by_label("Start date").fill("2025-03-01")
    page.get_by_label("End date").fill("2025-02-01")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#entries-end-error")).to_have_text(
        "The end date is before the start date."
    )
    expect(page.get_by_label("End date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#entries-totals")).to_have_count(0)
    expect(page.locator("#entries-status")).to_contain_text("The dates need correcting")


def test_a_range_without_time_has_a_clear_empty_state(reviewer_page: Page) -> None:
    page = reviewer_page
    open_engineering(page)

    page.get_by_label("Start date").fill("2001-01-01")
    page.get_by_label("End date").fill("2001-01-31")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#entries-empty")).to_contain_text(
        "No time was logged against “Engineering” in this range."
    )
    expect(page.locator("#total-entries")).to_have_text("0")


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    return int(hours) * 60 + int(minutes)
