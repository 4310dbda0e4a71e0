"""The person filter in a real browser: the overview filtered to one person, then the team
cell of that person and a category, then the entries it opens: the same hours all along."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import sign_in


def test_one_persons_hours_agree_on_the_overview_the_team_cell_and_its_entries(page) -> None:
    sign_in(page, "e2e-reviewer")
    page.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("link", name="This quarter").click()
    page.wait_for_url("**range=this-quarter**")
    expect(page.locator("#overview-table")).to_be_visible()

    person = page.locator("#narrow-person option").nth(1)
    gid, name = person.get_attribute("value"), person.inner_text()
    page.locator("#narrow-person").select_option(gid)
    page.locator("#narrow-apply").click()
    page.wait_for_url(f"**person={gid}**")
    expect(page.locator("#overview-panel")).to_have_count(1)  # swapped, not nested
    expect(page.locator("#narrow-person")).to_have_value(gid)
    expect(page.locator("#csv-overview")).to_have_attribute("href", re.compile(f"person={gid}"))
    overview_hours = {
        row.get_attribute("id").removeprefix("overview-row-"): row.locator("td").first.inner_text()
        for row in page.locator("#overview-rows tr.overview-row").all()
    }

    page.go_back()  # the filter lives in the URL: back is everyone again
    page.wait_for_url(lambda url: "person=" not in url)
    expect(page.locator("#narrow-person")).to_have_value("")

    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("link", name="This quarter").click()
    page.wait_for_url("**range=this-quarter**")
    row = page.locator("#team-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )
    cell = row.locator("td a[href*='/entries/']").first
    cell_hours = cell.inner_text()
    category = re.search(r"/categories/(\d+)/entries/", cell.get_attribute("href")).group(1)
    assert overview_hours[category] == cell_hours
    assert float(cell_hours) > 0

    cell.click()
    page.wait_for_url(f"**/categories/{category}/entries/**person={gid}**")
    expect(page.locator("#total-hours-decimal")).to_have_text(cell_hours)
    expect(page.locator("#narrow-person")).to_have_value(gid)
    expect(page.locator("#preset-this-quarter")).to_have_attribute("aria-current", "true")
