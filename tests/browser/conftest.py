"""Playwright fixtures: a real Chromium against the real dashboard on a free port."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import LiveApp, start_live_app
from tests.browser.pages import PHONE, sign_in

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _require_browser() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = f"Chromium is missing at {CHROMIUM}: browser tests cannot run."
    if os.environ.get("CI") == "true":
        pytest.fail(message + " With CI=true this is a failure, not a skip.", pytrace=False)
    warnings.warn(message + " SKIPPING browser tests.", stacklevel=1)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    _require_browser()
    app = start_live_app(tmp_path_factory.mktemp("live-app"))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def _page(browser, live_app: LiveApp, **options: object) -> Iterator[object]:
    live_app.clear_cache()
    context = browser.new_context(base_url=live_app.url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
    live_app.clear_faults()
    live_app.clear_cache()


@pytest.fixture
def page(browser, live_app: LiveApp) -> Iterator[object]:
    yield from _page(browser, live_app, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser, live_app: LiveApp) -> Iterator[object]:
    """A 390 px wide phone with a touch screen."""
    yield from _page(browser, live_app, viewport=PHONE, has_touch=True)


@pytest.fixture
def admin_page(page):
    sign_in(page, "e2e-admin")
    return page


@pytest.fixture
def reviewer_page(page):
    sign_in(page, "e2e-reviewer")
    return page
