"""The team view in a real browser: pick a person, then drill from a cell to the entries."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import sign_in


def test_filtering_by_person_then_drilling_from_a_cell_to_the_entries(page) -> None:
    sign_in(page, "e2e-reviewer")
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("link", name="This quarter").click()
    page.wait_for_url("**range=this-quarter**")
    expect(page.locator("#workspace-panel")).to_have_count(1)  # swapped, not nested
    table = page.locator("#team-table")
    expect(table).to_be_visible()
    people = table.locator("tbody tr").count()
    assert people > 1
    first_person = page.locator("#narrow-person option").nth(1)
    page.locator("#narrow-person").select_option(first_person.get_attribute("value"))
    page.locator("#narrow-apply").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    assert "person=" in page.url
    cell = table.locator("tbody td a").first
    hours = cell.inner_text()
    cell.click()
    page.wait_for_url("**/entries/**")
    expect(page.locator("h1")).to_be_visible()
    assert float(hours) > 0
