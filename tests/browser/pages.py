"""What the browser tests do on a page: sign in, find a row or the messages, watch for
Content-Security-Policy violations, and save the README's screenshots."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.harness import ACCOUNTS, PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def sign_in(page, username: str) -> None:
    assert username in ACCOUNTS
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    """How wide the page scrolls: more than the viewport means sideways scrolling."""
    return page.evaluate("document.scrollingElement.scrollWidth")


def save_screenshot(page, name: str) -> None:
    """Screenshots for the README, refreshed by every browser test run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def unique(name: str) -> str:
    """The live app's sandbox is shared by every browser test: names must not collide."""
    return f"{name} {uuid.uuid4().hex[:6]}"


def row(page: Page, name: str):
    return page.locator("#category-rows tr.category-row").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )


def message(page: Page):
    return page.locator("#messages")


def watch_csp(page: Page) -> None:
    """Record Content-Security-Policy violations the page itself causes (from the next load).

    Not in tests that take screenshots: Playwright's caret hiding for a screenshot makes
    the next form submission report violations that are not the dashboard's.
    """
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', event =>"
        " window.__cspViolations.push(event.violatedDirective + ' ' + event.sourceFile));"
    )


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")
