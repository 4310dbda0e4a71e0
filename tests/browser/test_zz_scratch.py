from pathlib import Path
import pytest
OUT = Path("/tmp/shots"); OUT.mkdir(exist_ok=True)

@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    import tests.browser.harness as h
    orig = h._manage
    def _manage(env, *args):
        env["DEBUG"] = "true"; env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        orig(env, *args)
    h._manage = _manage
    app = h.start_live_app(tmp_path_factory.mktemp("live"))
    yield app
    app.stop()

def test_look(admin_page):
    page = admin_page
    page.goto("/")
    page.screenshot(path=str(OUT / "list.png"), full_page=True)
    page.get_by_role("button", name="New category").click()
    page.screenshot(path=str(OUT / "create.png"), full_page=False)
    page.locator("tr.category-row").first.get_by_role("button", name="Edit").click()
    page.wait_for_selector("tr.editing")
    page.screenshot(path=str(OUT / "edit.png"), full_page=True)
    page.keyboard.press("Escape")
    page.wait_for_selector("tr.editing", state="detached")
    page.locator("tr.category-row").first.get_by_role("button", name="Delete").click()
    page.wait_for_selector("dialog[open]")
    page.screenshot(path=str(OUT / "dialog.png"))
    page.keyboard.press("Escape")
    page.locator("tr.category-row").first.locator("th a").click()
    page.wait_for_url("**/entries/**")
    page.screenshot(path=str(OUT / "entries.png"), full_page=True)
