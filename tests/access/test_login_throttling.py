"""django-axes: repeated failed sign-ins lock that username from that address for a while."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

PASSWORD = "pw-for-tests-1"  # the shared fixtures' password
LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(client: Client, username: str, password: str, *, ip: str = "203.0.113.7") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client: Client, username: str, times: int, *, ip: str = "203.0.113.7") -> list[int]:
    return [sign_in(client, username, "wrong", ip=ip).status_code for _ in range(times)]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_is_five_failures_unless_configured() -> None:
    assert LIMIT == 5


def test_the_failure_that_reaches_the_limit_locks_the_username(
    client: Client, category_admin: Any
) -> None:
    assert fail(client, "cat-admin", LIMIT) == [200] * (LIMIT - 1) + [429]


def test_once_locked_even_the_right_password_is_refused_with_the_lockout_page(
    client: Client, category_admin: Any
) -> None:
    fail(client, "cat-admin", LIMIT)
    response = sign_in(client, "cat-admin", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert not signed_in(client)


def test_one_failure_short_of_the_limit_still_signs_in(client: Client, category_admin: Any) -> None:
    assert set(fail(client, "cat-admin", LIMIT - 1)) == {200}
    assert sign_in(client, "cat-admin", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_resets_the_count(client: Client, category_admin: Any) -> None:
    fail(client, "cat-admin", LIMIT - 1)
    assert sign_in(client, "cat-admin", PASSWORD).status_code == 302
    client.logout()
    assert set(fail(client, "cat-admin", LIMIT - 1)) == {200}
    assert sign_in(client, "cat-admin", PASSWORD).status_code == 302


def test_the_lock_holds_for_that_username_from_that_address_only(
    client: Client, category_admin: Any, time_reviewer: Any
) -> None:
    fail(client, "cat-admin", LIMIT)
    # The same person elsewhere, and another person here, are not locked out.
    assert sign_in(Client(), "cat-admin", PASSWORD, ip="198.51.100.20").status_code == 302
    assert sign_in(Client(), "reviewer", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client: Client, category_admin: Any) -> None:
    fail(client, "cat-admin", LIMIT)
    assert sign_in(client, "cat-admin", PASSWORD).status_code == 429
    earlier = dt.timedelta(minutes=15, seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - earlier
        )
    assert sign_in(client, "cat-admin", PASSWORD).status_code == 302


def test_unknown_usernames_are_throttled_too(client: Client, db: None) -> None:
    fail(client, "nobody-by-that-name", LIMIT)
    assert sign_in(client, "nobody-by-that-name", "x").status_code == 429


def test_the_admins_login_page_is_throttled_the_same_way(client: Client, superuser: Any) -> None:
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("how", ["login", "force_login"])
def test_the_test_clients_sign_in_helpers_still_work(
    client: Client, category_admin: Any, how: str
) -> None:
    if how == "login":
        assert client.login(username="cat-admin", password=PASSWORD)
    else:
        client.force_login(category_admin)
    assert signed_in(client)
