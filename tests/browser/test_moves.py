"""Moving time in a real Chromium, with a real job worker: a bulk move from the entries
table with its confirmation and a progress bar that updates itself, then Undo; a merge
of a category with its confirmation, ending with the category archived."""

from __future__ import annotations

import datetime as dt
import sqlite3

import requests
from playwright.sync_api import Page, expect

from tests.browser.pages import save_screenshot, unique

DESIGN = "1209000000000002"
NORTHWIND = "1201000000000001"


def categories_of(live_app, entry_gids: list[str]) -> dict[str, list[int]]:
    with sqlite3.connect(live_app.workdir / "db.sqlite3") as database:
        return {
            gid: [
                pk
                for (pk,) in database.execute(
                    "SELECT sandboxcategory_id FROM sandbox_sandboxentry_categories"
                    " WHERE sandboxentry_id = ?",
                    (int(gid[4:]),),
                )
            ]
            for gid in entry_gids
        }


def test_a_bulk_move_with_its_confirmation_and_progress_then_undo(
    admin_page: Page, live_app
) -> None:
    page = admin_page
    today = dt.date.today()
    start = today - dt.timedelta(days=29)
    page.goto(f"/categories/{DESIGN}/entries/?range=custom&start={start}&end={today}")
    boxes = page.locator('input[name="entry"][form="move-form"]')
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#move-target-select").select_option(label="Sales")
    page.locator("#move-submit").click()

    summary = page.locator("#move-summary")
    expect(summary).to_contain_text("2 entries")
    expect(summary).to_contain_text("from Design to Sales")
    page.locator("#move-start").click()

    expect(page.locator("#job-progress")).to_be_visible()
    # No reload: the HTMX poll brings the progress in until the job has finished.
    expect(page.locator("#job-done")).to_have_text("2", timeout=30_000)
    expect(page.locator("#progress-title")).to_have_text("Finished")
    expect(page.locator("#job-bar")).to_have_attribute("value", "100")
    expect(page.locator("#job-entries tbody tr")).to_have_count(2)
    save_screenshot(page, "job-finished")
    sales = 6
    assert categories_of(live_app, chosen) == {gid: [sales] for gid in chosen}

    page.locator("#job-undo").click()
    expect(page.locator("#progress-title")).to_have_text("Finished", timeout=30_000)
    expect(page.locator("#job-done")).to_have_text("2")
    assert categories_of(live_app, chosen) == {gid: [2] for gid in chosen}


def test_a_merge_with_its_confirmation_archives_the_merged_category(
    admin_page: Page, live_app
) -> None:
    page = admin_page
    api = requests.Session()
    api.headers["Authorization"] = "Bearer browser-test"
    name = unique("Merge me")
    created = api.post(
        f"{live_app.sandbox_url}/time_tracking_categories",
        json={"data": {"workspace": NORTHWIND, "name": name}},
        timeout=10,
    ).json()["data"]
    # Three of Design's entries logged under the new category.
    listing = api.get(
        f"{live_app.sandbox_url}/time_tracking_categories/{DESIGN}/time_tracking_entries",
        params={"limit": 3},
        timeout=10,
    ).json()["data"]
    for entry in listing:
        api.put(
            f"{live_app.sandbox_url}/time_tracking_entries/{entry['gid']}",
            json={"data": {"categories": [created["gid"]]}},
            timeout=10,
        ).raise_for_status()

    page.goto(f"/jobs/merge/{created['gid']}/")
    expect(page.locator("#merge-summary")).to_contain_text(f"All 3 entries of “{name}”")
    expect(page.get_by_label("Archive the merged category (it keeps no time)")).to_be_checked()
    page.locator("#id_target").select_option(label="Design")
    save_screenshot(page, "merge-confirm")
    page.locator("#merge-start").click()

    expect(page.locator("#progress-title")).to_have_text("Finished", timeout=30_000)
    expect(page.locator("#job-done")).to_have_text("3")
    expect(page.locator("#job-message")).to_contain_text(f"{name} was archived.")
    gids = [entry["gid"] for entry in listing]
    assert categories_of(live_app, gids) == {gid: [2] for gid in gids}


def test_the_job_page_fits_a_phone(browser, live_app) -> None:
    from tests.browser.pages import sign_in

    context = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, "e2e-admin")
        page.goto("/jobs/")
        first = page.locator("#job-table a").first
        if first.count():
            first.click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
