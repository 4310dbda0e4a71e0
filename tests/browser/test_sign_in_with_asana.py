"""Signing in with Asana in a real browser against the sandbox, as a new user of `make run`
does: the button, the sandbox's approval page (choose who you are, allow), back on the
dashboard signed in as that person on their own workspace. Both pages fit a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import PHONE, page_width, save_screenshot


def approve_as(page, name: str) -> None:
    """On the sandbox's approval page: choose who you are, allow."""
    expect(page).to_have_url(re.compile(r"/-/oauth_authorize\?"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Allow Category dashboard")
    page.get_by_role("radio", name=re.compile(f"^{name}")).check()
    page.get_by_role("button", name="Allow").click()


def test_a_person_signs_in_with_asana_and_lands_on_their_workspace(page) -> None:
    page.goto("/accounts/login/")

    save_screenshot(page, "login")
    page.get_by_role("button", name="Sign in with Asana").click()
    expect(page).to_have_url(re.compile(r"/-/oauth_authorize\?"))
    save_screenshot(page, "asana-approval")
    approve_as(page, "Amara Okafor")

    page.wait_for_url(lambda url: "/accounts/" not in url and "oauth" not in url)
    expect(page.get_by_text("Signed in with Asana as Amara Okafor.")).to_be_visible()
    expect(page.get_by_text("Signed in as Amara Okafor")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Acme Consulting Group")
    expect(page.get_by_role("heading", name="Time tracking categories")).to_be_visible()


def test_the_page_asked_for_comes_after_the_sign_in(page) -> None:
    page.goto("/audit/")  # sent to the login page, with next
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    page.get_by_role("button", name="Sign in with Asana").click()
    approve_as(page, "Priya Raman")

    page.wait_for_url(re.compile(r"/audit/$"))
    expect(page.get_by_text("Signed in as Priya Raman")).to_be_visible()


def test_denying_on_the_approval_page_comes_back_not_signed_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Asana").click()

    page.get_by_role("button", name="Deny").click()

    expect(page).to_have_url(re.compile(r"/accounts/asana/callback/"))
    expect(page.get_by_text("You did not allow the dashboard")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Asana")).to_be_visible()


def test_the_login_and_approval_pages_fit_a_phone(phone) -> None:
    phone.goto("/accounts/login/")
    assert page_width(phone) <= PHONE["width"]

    phone.get_by_role("button", name="Sign in with Asana").click()
    expect(phone).to_have_url(re.compile(r"/-/oauth_authorize\?"))
    assert page_width(phone) <= PHONE["width"]

    approve_as(phone, "Chen Wei")
    phone.wait_for_url(lambda url: "/accounts/" not in url and "oauth" not in url)
    assert page_width(phone) <= PHONE["width"]
