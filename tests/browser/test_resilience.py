"""Asana slow, limiting or failing, in a real Chromium: every failure shows a message in the
page, typed input survives, buttons are disabled while their request runs, and a change
someone else made meanwhile is shown instead of overwritten."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser.harness import LiveApp
from tests.browser.pages import message, row, unique

ENGINEERING = "1209000000000001"


def asana(live_app: LiveApp, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    """Someone else, working in Asana itself: straight to the sandbox's API."""
    body = json.dumps({"data": data}).encode() if data is not None else None
    request = urllib.request.Request(
        live_app.sandbox_url + path,
        data=body,
        method=method,
        headers={"Authorization": "Bearer someone-else", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def open_create_form(page: Page, name: str, colour: str):
    page.get_by_role("button", name="New category").click()
    form = page.locator("#create-form")
    form.get_by_label("Name").fill(name)
    form.get_by_text(colour, exact=True).click()
    return form


def create_through_the_dashboard(page: Page, name: str, colour: str = "Blue") -> str:
    page.goto("/")
    form = open_create_form(page, name, colour)
    form.get_by_role("button", name="Add category").click()
    expect(row(page, name)).to_have_count(1)
    return row(page, name).get_attribute("id").removeprefix("category-")


def test_a_create_that_fails_with_a_500_keeps_the_typed_name_and_colour(
    admin_page: Page, live_app: LiveApp
) -> None:
    page = admin_page
    name = unique("Hiring <& onboarding>")
    page.goto("/")
    live_app.inject_fault(
        kind="status", status=500, method="POST", path_pattern="time_tracking_categories$", times=1
    )

    form = open_create_form(page, name, "Hot pink")
    form.get_by_role("button", name="Add category").click()

    problem = form.get_by_role("alert")
    expect(problem).to_contain_text("Nothing was created")
    expect(problem).to_contain_text("Try again.")
    expect(form.get_by_label("Name")).to_have_value(name)
    expect(form.get_by_label("Hot pink", exact=True)).to_be_checked()
    expect(form.get_by_label("Name")).to_be_focused()

    # Trying again (the fault fired once) creates it, once.
    form.get_by_role("button", name="Add category").click()
    expect(message(page)).to_contain_text(f"Created “{name}” (Hot pink).")
    expect(row(page, name)).to_have_count(1)
    assert categories_named(live_app, name) == 1


def test_a_429_during_the_entries_screen_shows_the_retry_in_message(
    reviewer_page: Page, live_app: LiveApp
) -> None:
    page = reviewer_page
    page.goto(f"/categories/{ENGINEERING}/entries/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering")
    live_app.inject_fault(
        kind="status", status=429, retry_after=60, path_pattern="time_tracking_entries"
    )

    page.get_by_role("link", name="Year to date").click()

    problems = page.locator("#problems")
    expect(problems).to_contain_text("Asana is rate limiting requests; try again in 60 s.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering")  # still the page

    page.reload()
    expect(page.get_by_role("heading", name="Asana is rate limiting")).to_be_visible()
    expect(page.get_by_text("try again in 60 s")).to_be_visible()


def test_a_concurrent_edit_shows_both_versions_and_saving_mine_is_a_choice(
    admin_page: Page, live_app: LiveApp
) -> None:
    page = admin_page
    original, theirs, mine = unique("Research"), unique("User research"), unique("UX research")
    gid = create_through_the_dashboard(page, original)
    row(page, original).get_by_role("button", name=f"Edit {original}").click()
    edit_form = page.locator(f"#category-{gid} form[data-edit-form]")
    expect(edit_form.get_by_label("Name")).to_be_focused()

    asana(live_app, "PUT", f"/time_tracking_categories/{gid}", {"name": theirs})
    edit_form.get_by_label("Name").fill(mine)
    edit_form.get_by_role("button", name="Save").click()

    conflict = page.locator(f"#conflict-{gid}")
    expect(conflict).to_be_focused()
    expect(conflict).to_contain_text(f"“{original}” was changed in Asana while you were editing it")
    expect(conflict.locator('[data-version="mine"]')).to_have_text(mine)
    expect(conflict.locator('[data-version="theirs"]')).to_have_text(theirs)
    assert asana(live_app, "GET", f"/time_tracking_categories/{gid}")["name"] == theirs

    conflict.get_by_role("button", name="Save mine anyway").click()
    expect(row(page, mine)).to_have_count(1)
    expect(message(page)).to_contain_text("Your version replaced the one saved in Asana meanwhile.")
    assert asana(live_app, "GET", f"/time_tracking_categories/{gid}")["name"] == mine


def test_keeping_their_version_after_a_concurrent_edit_saves_nothing(
    admin_page: Page, live_app: LiveApp
) -> None:
    page = admin_page
    original, theirs = unique("Support"), unique("Customer support")
    gid = create_through_the_dashboard(page, original)
    row(page, original).get_by_role("button", name=f"Edit {original}").click()
    edit_form = page.locator(f"#category-{gid} form[data-edit-form]")
    # The form must hold the values it was opened with before someone else changes them.
    expect(edit_form.get_by_label("Name")).to_be_focused()
    asana(live_app, "PUT", f"/time_tracking_categories/{gid}", {"color": "red"})

    edit_form.get_by_label("Name").fill(theirs + " (mine)")
    edit_form.get_by_role("button", name="Save").click()
    page.locator(f"#conflict-{gid}").get_by_role("button", name="Keep theirs").click()

    expect(row(page, original)).to_have_count(1)
    expect(row(page, original).locator(".swatch-red")).to_have_count(1)
    expect(message(page)).to_contain_text(f"Kept “{original}” as it is in Asana")


def test_a_category_deleted_between_list_and_edit_says_so_and_marks_the_row(
    admin_page: Page, live_app: LiveApp
) -> None:
    page = admin_page
    name = unique("Temporary")
    gid = create_through_the_dashboard(page, name)
    asana(live_app, "DELETE", f"/time_tracking_categories/{gid}")

    row(page, name).get_by_role("button", name=f"Edit {name}").click()

    problems = page.locator("#problems")
    expect(problems).to_contain_text("This category no longer exists in Asana")
    expect(problems.get_by_role("link", name="Back to the categories")).to_be_visible()
    expect(page.locator(f"#category-{gid}")).to_contain_text("no longer exists")
    expect(page.locator(f"#category-{gid}")).to_have_class("gone-row")


def test_a_request_that_never_completes_shows_a_message_and_keeps_the_input(
    admin_page: Page,
) -> None:
    page = admin_page
    name = unique("Offline")
    page.goto("/")
    page.route("**/categories/create/", lambda route: route.abort("internetdisconnected"))

    form = open_create_form(page, name, "Green")
    form.get_by_role("button", name="Add category").click()

    expect(page.locator("#problems")).to_contain_text("The dashboard could not be reached")
    expect(form.get_by_label("Name")).to_have_value(name)
    expect(form.get_by_label("Green", exact=True)).to_be_checked()
    expect(form.get_by_role("button", name="Add category")).to_be_enabled()


def test_buttons_are_disabled_while_their_request_runs_so_nothing_is_sent_twice(
    admin_page: Page, live_app: LiveApp
) -> None:
    page = admin_page
    name = unique("Slow")
    page.goto("/")
    posts: list[str] = []

    def count_posts(route: Route) -> None:
        posts.append(route.request.url)
        route.continue_()

    page.route("**/categories/create/", count_posts)
    live_app.inject_fault(
        kind="latency",
        method="POST",
        path_pattern="time_tracking_categories$",
        latency_ms=1500,
        times=1,
    )

    form = open_create_form(page, name, "Aqua")
    submit = form.get_by_role("button", name="Add category")
    submit.click()
    expect(submit).to_be_disabled()
    expect(submit).to_have_attribute("aria-busy", "true")
    form.get_by_label("Name").press("Enter")  # a second submit while the first runs

    expect(message(page)).to_contain_text(f"Created “{name}” (Aqua).")
    expect(row(page, name)).to_have_count(1)
    expect(page.locator("#create-form").get_by_role("button", name="Add category")).to_be_enabled()
    assert len(posts) == 1
    assert categories_named(live_app, name) == 1


def categories_named(live_app: LiveApp, name: str) -> int:
    """Read straight from the sandbox's database, not through the dashboard."""
    with sqlite3.connect(live_app.workdir / "db.sqlite3") as database:
        (count,) = database.execute(
            "SELECT COUNT(*) FROM sandbox_sandboxcategory WHERE name = ?", (name,)
        ).fetchone()
    return int(count)
