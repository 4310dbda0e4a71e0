"""Security in a real browser: no CSP violations, markup in names stays text, HTMX requests
that are not allowed (or not signed in) are handled, and the demo accounts work."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import PASSWORD, PYTHON, REPO, LiveApp
from tests.browser.pages import RECORD_VIOLATIONS, sign_in

ENGINEERING = "1209000000000001"  # a seeded Northwind category with recent entries
NORTHWIND = "1201000000000001"
# Text that would become elements (and run script) if any template forgot to escape it.
MARKUP = '<img src="x" class="xss" onerror="window.__xss=1"><script>window.__xss=2</script>'


# Playwright injects this (CSP does not apply to it): it records every violation.
def in_app(live_app: LiveApp, code: str) -> Any:
    """Run Django code against the live app's database; returns what it prints as JSON."""
    script = f"import django, json; django.setup()\n{code}"
    env = {**live_app.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=REPO, env=env, check=True, capture_output=True
    )
    output = result.stdout.decode().strip().splitlines()
    return json.loads(output[-1]) if output else None


@pytest.fixture
def watched(page: Any) -> tuple[Any, list[str]]:
    """The page, and every CSP violation or console error it reports."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_the_login_page_raises_no_csp_violation(watched: tuple[Any, list[str]]) -> None:
    page, problems = watched
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert problems == []


@pytest.mark.parametrize("path", ["/", f"/categories/{ENGINEERING}/entries/", "/audit/"])
def test_signed_in_pages_raise_no_csp_violation(watched: tuple[Any, list[str]], path: str) -> None:
    page, problems = watched
    sign_in(page, "e2e-admin")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    # htmx is loaded and working under the policy (it must not inject a <style>).
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.locator("head style").count() == 0
    assert violations(page) == []
    assert problems == []


def test_an_htmx_swap_raises_no_csp_violation(watched: tuple[Any, list[str]]) -> None:
    page, problems = watched
    sign_in(page, "e2e-admin")
    page.goto("/")
    page.evaluate("htmx.ajax('GET', '/categories/new/', {target: '#problems', swap: 'innerHTML'})")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert problems == []


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/categories/auditentry/", "/admin/axes/accessattempt/"]
)
def test_the_django_admin_works_under_the_policy(page: Any, path: str) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "e2e-root")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_static_files_need_no_sign_in(page: Any) -> None:
    assert page.request.get("/static/css/app.css").status == 200


# --- markup in names ----------------------------------------------------------------------


@pytest.fixture
def marked_up_names(live_app: LiveApp) -> Iterator[str]:
    """A category, and every Asana user and project, named with markup; restored after."""
    created = in_app(
        live_app,
        f"""
from categories.sandbox.models import SandboxCategory, SandboxProject, SandboxUser, name_key
name = {MARKUP!r}
category = SandboxCategory.objects.create(
    workspace_id=1, name=name, name_key=name_key(name), color="red"
)
originals = {{
    "users": dict(SandboxUser.objects.values_list("pk", "name")),
    "projects": dict(SandboxProject.objects.values_list("pk", "name")),
}}
for model in (SandboxUser, SandboxProject):
    for row in model.objects.all():
        model.objects.filter(pk=row.pk).update(name=name + " " + row.name)
print(json.dumps({{"gid": category.gid, "originals": originals}}))
""",
    )
    yield created["gid"]
    in_app(
        live_app,
        f"""
from categories.sandbox.models import SandboxCategory, SandboxProject, SandboxUser
SandboxCategory.objects.filter(pk={int(created["gid"][4:])}).delete()
originals = {created["originals"]!r}
for model, key in ((SandboxUser, "users"), (SandboxProject, "projects")):
    for pk, name in originals[key].items():
        model.objects.filter(pk=int(pk)).update(name=name)
""",
    )


def assert_inert(page: Any, *, shown_as_text: bool = True) -> None:
    """Never turned into elements or run; shown as text where the page shows it as text."""
    if shown_as_text:
        assert page.get_by_text('<img src="x" class="xss"', exact=False).count() >= 1
    assert page.locator("img.xss").count() == 0
    assert page.evaluate("window.__xss") is None


def test_a_category_named_with_markup_is_shown_as_text(
    admin_page: Any, marked_up_names: str
) -> None:
    admin_page.goto("/?state=all")
    assert_inert(admin_page)
    admin_page.goto(f"/categories/{marked_up_names}/edit/")
    # The edit form holds the name in an input's value, which is not page text.
    assert admin_page.locator(f"input[name='name'][value='{MARKUP}']").count() == 1
    assert_inert(admin_page, shown_as_text=False)


def test_people_and_projects_named_with_markup_are_shown_as_text(
    reviewer_page: Any, marked_up_names: str
) -> None:
    reviewer_page.goto(f"/categories/{ENGINEERING}/entries/?range=year-to-date")
    assert_inert(reviewer_page)


def test_a_username_with_markup_is_shown_as_text(page: Any, live_app: LiveApp) -> None:
    username = '<b class="xss">mallory</b>'
    in_app(
        live_app,
        f"""
from django.contrib.auth.models import Group, User
user, _ = User.objects.get_or_create(username={username!r})
user.set_password({PASSWORD!r})
user.save()
user.groups.add(Group.objects.get(name="Time reviewers"))
""",
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert page.get_by_text(username).count() >= 1
    assert page.locator("b.xss").count() == 0


# --- HTMX and access ----------------------------------------------------------------------


def test_a_reviewers_hand_made_htmx_write_is_refused_in_the_problems_region(
    reviewer_page: Any, live_app: LiveApp
) -> None:
    reviewer_page.goto("/")
    reviewer_page.evaluate(
        f"htmx.ajax('POST', '/categories/{ENGINEERING}/archive/', {{target: 'body'}})"
    )
    problems = reviewer_page.locator("#problems")
    problems.get_by_text("You can view, not change").wait_for()
    archived = in_app(
        live_app,
        "from categories.sandbox.models import SandboxCategory\n"
        f"print(json.dumps(SandboxCategory.find({ENGINEERING!r}).is_archived))",
    )
    assert archived is False


def test_htmx_sends_the_csrf_token_so_an_admins_change_goes_through(
    admin_page: Any, live_app: LiveApp
) -> None:
    admin_page.goto("/")
    is_archived = (
        "from categories.sandbox.models import SandboxCategory\n"
        f"print(json.dumps(SandboxCategory.find({ENGINEERING!r}).is_archived))"
    )
    try:
        with admin_page.expect_response(lambda r: r.url.endswith("/archive/")) as answer:
            admin_page.evaluate(
                f"htmx.ajax('POST', '/categories/{ENGINEERING}/archive/', "
                "{target: '#problems', swap: 'none'})"
            )
        assert answer.value.status == 200
        assert in_app(live_app, is_archived) is True
    finally:
        in_app(
            live_app,
            "from categories.sandbox.models import SandboxCategory\n"
            f"SandboxCategory.objects.filter(pk={int(ENGINEERING[4:])}).update(is_archived=False)",
        )


def test_an_htmx_request_after_signing_out_elsewhere_goes_to_the_login_page(
    admin_page: Any,
) -> None:
    admin_page.goto("/")
    admin_page.context.clear_cookies()  # as if the session had ended
    # Not awaiting htmx.ajax's promise: the redirect it leads to ends the page (and the
    # script's context) before the promise could settle.
    admin_page.evaluate("() => { htmx.ajax('GET', '/categories/new/', {target: '#problems'}); }")
    # The whole page went to the login page (and comes back to "/" after signing in).
    admin_page.wait_for_url(lambda url: url.endswith("/accounts/login/?next=%2F"))
    assert admin_page.get_by_role("button", name="Sign in", exact=True).is_visible()


# --- demo accounts ------------------------------------------------------------------------


def test_the_demo_accounts_on_the_login_page_sign_in(page: Any) -> None:
    page.goto("/accounts/login/")
    table = page.locator(".demo-accounts table")
    shown = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in table.locator("tbody tr").all()
    }
    assert set(shown) == {"admin", "reviewer"}
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(shown["admin"])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert page.get_by_role("link", name="Audit log").is_visible()
