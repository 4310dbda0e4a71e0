"""Every screen on a 390 px wide phone: no sideways scroll of the page (wide tables scroll
in their own box), a navigation that folds away, and touch targets of at least 44 px."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.pages import PHONE, page_width, sign_in

ENGINEERING = "1209000000000001"
SALES = "1209000000000006"
MONTH = f"start={dt.date.today() - dt.timedelta(days=30)}&end={dt.date.today()}"
SCREENS = {
    "categories": "/",
    "archived categories": "/?state=archived",
    "all categories": "/?state=all",
    "new category": "/categories/new/",
    "edit category": f"/categories/{ENGINEERING}/edit/",
    "delete category": f"/categories/{ENGINEERING}/confirm-delete/",
    "entries and report": f"/categories/{ENGINEERING}/entries/?range=this-quarter",
    "overview": "/overview/?range=this-quarter&full=1",
    "audit log": "/audit/",
    "team": "/team/?range=this-quarter",
    "no category": "/no-category/?range=this-quarter",
    "moves": "/jobs/",
    "move confirmation": f"/jobs/move/?source={ENGINEERING}&{MONTH}&all=on&target={SALES}",
    "people": "/people/",
}


def test_the_login_page_fits(phone) -> None:
    phone.goto("/accounts/login/")
    assert page_width(phone) <= PHONE["width"]


@pytest.mark.parametrize("path", SCREENS.values(), ids=SCREENS.keys())
def test_each_screen_fits_a_phone_without_sideways_scroll(phone, path: str) -> None:
    sign_in(phone, "e2e-admin")
    phone.goto(path)
    phone.wait_for_load_state("networkidle")
    assert page_width(phone) <= PHONE["width"], path


def test_wide_tables_scroll_in_their_own_box(phone) -> None:
    sign_in(phone, "e2e-admin")
    phone.goto(SCREENS["entries and report"])
    box = phone.locator(".entries-listing")
    overflow = box.evaluate("element => getComputedStyle(element).overflowX")
    assert overflow in ("auto", "scroll")
    assert page_width(phone) <= PHONE["width"]


def test_the_navigation_folds_into_a_menu_that_opens(phone) -> None:
    sign_in(phone, "e2e-admin")
    phone.goto("/")
    overview_link = phone.get_by_role("link", name="Overview", exact=True)
    assert not overview_link.is_visible()
    phone.locator("#nav-menu-button").click()
    assert overview_link.is_visible()


@pytest.mark.parametrize("path", [SCREENS["categories"], SCREENS["entries and report"]])
def test_controls_are_at_least_44_px_high(phone, path: str) -> None:
    """Buttons, tabs, pills, sort headers and downloads; a name linked inside a sentence or
    a table cell is text, not a control (WCAG's inline exception)."""
    sign_in(phone, "e2e-admin")
    phone.goto(path)
    controls = (
        "main button, main [role=button], main a.secondary, main .tabs a, main .presets a, "
        "main .segmented a, main .sort-link, main .downloads a, nav label"
    )
    small = phone.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)""",
        controls,
    )
    assert small == [], small
