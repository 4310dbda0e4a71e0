"""Names are user text: `<script>`, quotes, ampersands and emoji must show literally, and
never run, on every screen and in every HTMX swap."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Dialog, Page, expect

from tests.browser.pages import csp_violations, watch_csp

HOSTILE = '<script>alert("pwned")</script> "Quotes" & \'apostrophes\' <b>bold</b> 🎉'


def refuse_dialogs(page: Page) -> list[str]:
    """Any alert() that runs is a script we injected: record it so the test can fail."""
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def no_injected_markup(page: Page) -> None:
    assert page.locator("script:text('pwned')").count() == 0
    assert page.locator("#content b").count() == 0


def test_hostile_name_is_shown_literally_everywhere(admin_page: Page) -> None:
    page = admin_page
    alerts = refuse_dialogs(page)
    watch_csp(page)
    name = f"{HOSTILE} {uuid.uuid4().hex[:4]}"
    page.goto("/")

    # Created through the inline HTMX form: message and new row.
    page.get_by_role("button", name="New category").click()
    form = page.locator("#create-form")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Add category").click()
    expect(page.locator("#messages")).to_contain_text(f"Created “{name}” (No colour).")
    row_header = page.get_by_role("rowheader", name=name, exact=True)
    expect(row_header).to_have_text(name)
    no_injected_markup(page)

    # The same after a full page load.
    page.reload()
    expect(page.get_by_role("rowheader", name=name, exact=True)).to_have_text(name)
    row = page.locator("tr.category-row").filter(has=page.get_by_role("rowheader", name=name))

    # The edit form holds the name as the input's value, unchanged.
    row.get_by_role("button", name=f"Edit {name}").click()
    name_input = page.locator("form[data-edit-form]").get_by_label("Name")
    expect(name_input).to_have_value(name)
    expect(name_input).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("form[data-edit-form]")).to_have_count(0)

    # The delete confirmation names it literally.
    row.get_by_role("button", name=f"Delete {name}").click()
    expect(page.get_by_role("dialog").get_by_role("heading")).to_have_text(f"Delete “{name}”?")
    page.keyboard.press("Escape")

    # The entries screen: heading and the browser tab's title.
    page.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/entries/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert page.title().startswith(name)
    no_injected_markup(page)

    # Clean up, back on the list.
    page.go_back()
    page.locator("tr.category-row").filter(
        has=page.get_by_role("rowheader", name=name)
    ).get_by_role("button", name=f"Delete {name}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#messages")).to_contain_text(f"Deleted “{name}”.")
    assert alerts == []
    assert csp_violations(page) == []  # and no inline script or style anywhere on the way


def test_seeded_names_with_markup_and_emoji_are_literal(admin_page: Page) -> None:
    page = admin_page
    alerts = refuse_dialogs(page)

    page.goto("/?state=all")

    expect(page.get_by_role("rowheader", name="Offsite <2023> 🎉")).to_have_text(
        "Offsite <2023> 🎉"
    )
    expect(page.get_by_role("rowheader", name='1:1s & "coffee chats" ☕')).to_be_visible()
    page.get_by_label("Search categories by name").fill("<2023>")
    expect(page.locator("#category-rows tr.category-row")).to_have_count(1)
    expect(page.locator("h2#category-panel-heading")).to_contain_text("matching “<2023>”")
    assert alerts == []
