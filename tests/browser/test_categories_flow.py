"""A category's whole life in a real Chromium: create, rename, recolour, archive, find it in
Archived, unarchive, delete. With JavaScript (HTMX swaps) and without (plain posts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import (
    csp_violations,
    message,
    row,
    save_screenshot,
    sign_in,
    unique,
    watch_csp,
)


def mark_page(page: Page) -> None:
    """Set a flag that a full page load would wipe out: proves HTMX swapped in place."""
    page.evaluate("window.__samePage = true")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.__samePage === true"), "the page was reloaded"


def create_category(page: Page, name: str, colour: str) -> None:
    page.get_by_role("button", name="New category").click()
    form = page.locator("#create-form")
    form.get_by_label("Name").fill(name)
    form.get_by_text(colour, exact=True).click()
    form.get_by_role("button", name="Add category").click()


def test_category_lifecycle_with_htmx(admin_page: Page) -> None:
    page = admin_page
    name = unique("Onboarding")
    renamed = unique("Customer onboarding")
    page.goto("/")
    expect(page.get_by_role("heading", name="Time tracking categories")).to_be_visible()
    save_screenshot(page, "categories")
    mark_page(page)
    count_before = int(page.locator("[data-count]").inner_text())

    # Create: the new row appears at the top, with a message, without a reload.
    page.get_by_role("button", name="New category").click()
    form = page.locator("#create-form")
    expect(form.get_by_label("Name")).to_be_focused()
    form.get_by_label("Name").fill(name)
    form.get_by_text("Green", exact=True).click()
    expect(form.get_by_label("Green", exact=True)).to_be_checked()
    save_screenshot(page, "create-form")
    form.get_by_role("button", name="Add category").click()
    expect(message(page)).to_contain_text(f"Created “{name}” (Green).")
    expect(row(page, name)).to_contain_text("Green")
    expect(page.locator("#category-rows tr.category-row").first).to_contain_text(name)
    expect(page.locator("[data-count]")).to_have_text(str(count_before + 1))
    expect(form.get_by_label("Name")).to_have_value("")
    assert_same_page(page)

    # Rename in place; Escape cancels first, and focus returns to the Edit button.
    row(page, name).get_by_role("button", name=f"Edit {name}").click()
    editor = page.locator("form[data-edit-form]")
    expect(editor.get_by_label("Name")).to_be_focused()
    editor.get_by_label("Name").fill("this will be abandoned")
    page.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(row(page, name).get_by_role("button", name=f"Edit {name}")).to_be_focused()
    row(page, name).get_by_role("button", name=f"Edit {name}").click()
    editor.get_by_label("Name").fill(renamed)
    editor.get_by_role("button", name="Save").click()
    expect(message(page)).to_contain_text(f"Renamed “{name}” to “{renamed}”.")
    expect(row(page, renamed)).to_be_visible()

    # Recolour in place.
    row(page, renamed).get_by_role("button", name=f"Edit {renamed}").click()
    editor.get_by_text("Indigo", exact=True).click()
    editor.get_by_role("button", name="Save").click()
    expect(message(page)).to_contain_text(f"Changed the colour of “{renamed}” to Indigo.")
    expect(row(page, renamed).locator(".color-name")).to_have_text("Indigo")

    # Archive: the row leaves the Active tab.
    row(page, renamed).get_by_role("button", name=f"Archive {renamed}").click()
    expect(message(page)).to_contain_text(f"Archived “{renamed}”. It is now in the Archived tab.")
    expect(row(page, renamed)).to_have_count(0)
    assert_same_page(page)

    # Find it in the Archived tab, by searching; the URL says where we are.
    page.get_by_role("link", name="Archived", exact=True).click()
    expect(page).to_have_url(re.compile(r"/\?state=archived$"))
    page.get_by_label("Search categories by name").fill(renamed[-6:])
    expect(page.locator("#category-rows tr.category-row")).to_have_count(1)
    expect(row(page, renamed)).to_contain_text("Archived")
    expect(page).to_have_url(re.compile(r"q=" + renamed[-6:]))
    assert "state=archived" in page.url

    # Unarchive: back to Active.
    row(page, renamed).get_by_role("button", name=f"Unarchive {renamed}").click()
    expect(message(page)).to_contain_text(f"Unarchived “{renamed}”. It is back in the Active tab.")
    expect(row(page, renamed)).to_have_count(0)
    page.get_by_role("link", name="Active", exact=True).click()
    expect(row(page, renamed)).to_contain_text("Active")

    # Delete: the confirmation names it and offers archiving; Escape keeps it.
    delete_button = row(page, renamed).get_by_role("button", name=f"Delete {renamed}")
    delete_button.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Delete “{renamed}”?")
    expect(dialog).to_contain_text("Archiving keeps its history.")
    expect(dialog).to_contain_text("Deleting removes it.")
    expect(dialog.get_by_role("button", name="Archive instead")).to_be_focused()
    save_screenshot(page, "delete-confirm")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(delete_button).to_be_focused()
    delete_button.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    expect(message(page)).to_contain_text(f"Deleted “{renamed}”.")
    expect(row(page, renamed)).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_same_page(page)


def test_archive_instead_from_the_delete_confirmation(admin_page: Page) -> None:
    page = admin_page
    name = unique("Archive me")
    watch_csp(page)
    page.goto("/")
    create_category(page, name, "Red")
    expect(row(page, name)).to_be_visible()

    row(page, name).get_by_role("button", name=f"Delete {name}").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive instead").click()

    expect(message(page)).to_contain_text(f"Archived “{name}”.")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row(page, name)).to_have_count(0)
    assert csp_violations(page) == []


def test_validation_errors_show_next_to_the_field_and_keep_the_input(admin_page: Page) -> None:
    page = admin_page
    watch_csp(page)
    page.goto("/")
    page.get_by_role("button", name="New category").click()
    form = page.locator("#create-form")
    form.get_by_text("Aqua", exact=True).click()
    form.get_by_role("button", name="Add category").click()

    name_input = form.get_by_label("Name")
    expect(name_input).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#new-name-error")).to_have_text("Give the category a name.")
    expect(form.get_by_label("Aqua", exact=True)).to_be_checked()

    # Asana's own refusal (a duplicate name) shows at the same place.
    name_input.fill("engineering")
    form.get_by_role("button", name="Add category").click()
    expect(form.locator("#new-name-error")).to_contain_text("Asana says:")
    expect(form.get_by_label("Name")).to_have_value("engineering")
    assert csp_violations(page) == []


def test_archived_tab_in_the_url_survives_back_and_reload(admin_page: Page) -> None:
    page = admin_page
    page.goto("/")
    page.get_by_role("link", name="Archived", exact=True).click()
    expect(page).to_have_url(re.compile(r"state=archived"))
    page.get_by_role("link", name="All", exact=True).click()
    expect(page).to_have_url(re.compile(r"state=all"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"state=archived$"))
    expect(page.get_by_role("link", name="Archived", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#category-rows")).to_contain_text("Legacy migration")


def test_big_workspace_lists_every_category_past_the_first_hundred(admin_page: Page) -> None:
    page = admin_page
    page.goto("/")
    page.get_by_label("Workspace").select_option(label="Acme Consulting Group")

    expect(page.locator("#messages")).to_contain_text("Switched to Acme Consulting Group.")
    expect(page.locator("#category-rows tr.category-row")).to_have_count(131)
    page.get_by_label("Workspace").select_option(label="Northwind Studio")
    expect(page.locator("#messages")).to_contain_text("Switched to Northwind Studio.")


def test_reviewer_sees_no_buttons_for_changes(reviewer_page: Page) -> None:
    page = reviewer_page
    page.goto("/")

    expect(page.locator("#category-rows tr.category-row").first).to_be_visible()
    expect(page.get_by_role("button", name="New category")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^(Edit|Archive|Delete) "))).to_have_count(0)


@pytest.fixture
def no_js_page(browser: Browser, live_app) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        base_url=live_app.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "e2e-admin")
    yield page
    context.close()


def test_every_category_action_works_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    name = unique("Plain form")
    page.goto("/")

    # The <details> opens without JavaScript, and the form posts normally.
    create_category(page, name, "Blue")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(message(page)).to_contain_text(f"Created “{name}” (Blue).")

    row(page, name).get_by_role("button", name=f"Edit {name}").click()
    expect(page).to_have_url(re.compile(r"/edit/"))
    page.get_by_label("Name").fill(f"{name} renamed")
    page.get_by_text("Pink", exact=True).click()
    page.get_by_role("button", name="Save").click()
    name = f"{name} renamed"
    expect(message(page)).to_contain_text(f"Renamed “{name[:-8]}” to “{name}” and made it Pink.")

    row(page, name).get_by_role("button", name=f"Archive {name}").click()
    expect(message(page)).to_contain_text(f"Archived “{name}”.")
    page.get_by_role("link", name="Archived", exact=True).click()
    row(page, name).get_by_role("button", name=f"Unarchive {name}").click()
    expect(page).to_have_url(re.compile(r"state=archived"))
    expect(message(page)).to_contain_text(f"Unarchived “{name}”.")

    page.get_by_role("link", name="Active", exact=True).click()
    row(page, name).get_by_role("button", name=f"Delete {name}").click()
    expect(page).to_have_url(re.compile(r"/confirm-delete/"))
    expect(page.get_by_role("heading", name=f"Delete “{name}”?")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(message(page)).to_contain_text(f"Deleted “{name}”.")
    expect(row(page, name)).to_have_count(0)


def test_loading_indicator_shows_while_asana_is_slow(admin_page: Page, live_app) -> None:
    page = admin_page
    page.goto("/")
    live_app.inject_fault(kind="latency", latency_ms=1500, method="GET", times=1)

    page.get_by_role("link", name="Archived", exact=True).click()

    expect(page.locator("#loading")).to_have_class(re.compile(r"htmx-request"))
    expect(page.locator("#loading")).to_be_visible()
    expect(page.get_by_role("link", name="Archived", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#loading")).not_to_have_class(re.compile(r"htmx-request"))


def test_asana_refusing_a_swap_shows_a_message_and_keeps_the_page(
    admin_page: Page, live_app
) -> None:
    page = admin_page
    page.goto("/")
    live_app.inject_fault(
        kind="status", status=403, method="GET", path_pattern="time_tracking_categories"
    )

    page.get_by_role("link", name="Archived", exact=True).click()

    expect(page.locator("#problems")).to_contain_text("Asana refused access")
    expect(page.get_by_role("link", name="Active", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    live_app.clear_faults()
    page.get_by_role("link", name="Archived", exact=True).click()
    expect(page.locator("#problems")).to_be_empty()  # a new action clears the old problem
