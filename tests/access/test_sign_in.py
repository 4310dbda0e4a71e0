"""Signing in and out with Django's views, styled like the app."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

PASSWORD = "pw-for-tests-1"


def sign_in(client: Client, next_url: str = "") -> Any:
    data = {"username": "cat-admin", "password": PASSWORD, "next": next_url}
    return client.post("/accounts/login/", data)


def test_the_login_page_uses_the_apps_layout(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["access/login.html", "base.html"]


def test_signing_in_returns_to_the_page_asked_for(
    client: Client, category_admin: Any, seeded_sandbox: None
) -> None:
    response = sign_in(client, next_url="/audit/?action=delete")
    assert response["Location"] == "/audit/?action=delete"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_signing_in_never_sends_people_to_another_site(
    client: Client, category_admin: Any, next_url: str
) -> None:
    assert sign_in(client, next_url=next_url)["Location"] == "/"


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(
    client: Client, category_admin: Any
) -> None:
    response = client.post("/accounts/login/", {"username": "cat-admin", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_opening_the_login_page_goes_on_to_the_dashboard(
    admin_http: Client,
) -> None:
    assert admin_http.get("/accounts/login/")["Location"] == "/"


def test_signing_out_ends_the_session_and_shows_the_login_page(admin_http: Client) -> None:
    response = admin_http.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in admin_http.session
    assert admin_http.get("/")["Location"].startswith("/accounts/login/")


def test_the_lockout_page_says_when_to_try_again(client: Client, category_admin: Any) -> None:
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "cat-admin", "password": "x"})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "access/locked_out.html" in [t.name for t in response.templates]
