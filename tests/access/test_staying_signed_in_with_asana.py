"""Staying signed in with Asana: access tokens last an hour; the dashboard refreshes one
before it expires (or once, when Asana refuses it anyway), two refreshes do not race, and a
sign-in Asana no longer accepts (revoked, expired) signs the person out with a message on
their next page: never a 500, and for an HTMX request a whole-page redirect."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from categories.access.models import AsanaGrant
from categories.sandbox.models import SandboxCategory, SandboxOAuthToken
from categories.sandbox.oauth import expire_access_tokens, revoke_grants
from categories.web.client import person_budget_key
from categories.web.middleware import SIGN_IN_ENDED
from categories.web.people import PersonAsana, forget_people, person_asana
from tests.support.asana_sign_in import (
    CHEN,
    LOGIN,
    PRIYA,
    sign_in_with_asana,
    stored_tokens,
)
from tests.support.screens import text_of

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def tokens_issued() -> int:
    """How many access tokens the sandbox's token endpoint has given (sign-ins + refreshes)."""
    return SandboxOAuthToken.objects.count()


def expire_in_our_records(user_gid: str) -> None:
    """The stored token's hour is up, as far as the dashboard knows."""
    AsanaGrant.objects.filter(asana_user_gid=user_gid).update(
        access_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


@pytest.fixture
def priya(client: Client) -> Client:
    sign_in_with_asana(client, PRIYA)
    return client


# --- refreshing --------------------------------------------------------------------------------


def test_an_access_token_past_its_hour_is_refreshed_before_use(priya: Client) -> None:
    before, refresh_token = stored_tokens(PRIYA)
    expire_in_our_records(PRIYA)
    expire_access_tokens(user_gid=PRIYA)  # Asana would refuse it too

    page = priya.get("/")

    assert page.status_code == 200
    assert "Northwind Studio" in text_of(page)
    after, same_refresh_token = stored_tokens(PRIYA)
    assert after != before
    assert same_refresh_token == refresh_token  # Asana keeps the refresh token
    grant = AsanaGrant.objects.get(asana_user_gid=PRIYA)
    assert grant.refreshed_at is not None
    assert grant.access_expires_at > timezone.now() + dt.timedelta(minutes=50)


def test_a_token_about_to_expire_is_refreshed_before_asana_refuses_it(
    priya: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, _ = stored_tokens(PRIYA)
    issued = tokens_issued()
    expires_at = AsanaGrant.objects.get().access_expires_at
    later = expires_at - dt.timedelta(seconds=30)  # 59.5 minutes on: half a minute left
    monkeypatch.setattr("categories.web.people.timezone.now", lambda: later)

    assert priya.get("/").status_code == 200
    assert stored_tokens(PRIYA)[0] != before
    assert tokens_issued() == issued + 1


def test_a_fresh_token_is_not_refreshed(priya: Client) -> None:
    issued = tokens_issued()

    for _ in range(3):
        assert priya.get("/").status_code == 200

    assert tokens_issued() == issued


def test_short_lived_tokens_are_refreshed_as_they_run_out(priya: Client, settings) -> None:
    """SANDBOX_OAUTH_TOKEN_SECONDS: the sandbox's tokens last a minute; each page still works."""
    settings.SANDBOX_OAUTH_TOKEN_SECONDS = 60
    expire_in_our_records(PRIYA)

    assert priya.get("/").status_code == 200
    assert AsanaGrant.objects.get().access_expires_at < timezone.now() + dt.timedelta(seconds=61)
    assert priya.get("/").status_code == 200  # within the margin again: refreshed again


def test_a_token_asana_refuses_before_its_hour_is_renewed_once_on_the_spot(
    priya: Client,
) -> None:
    before, _ = stored_tokens(PRIYA)
    expire_access_tokens(user_gid=PRIYA)  # Asana says 401, our records say it is fresh
    issued = tokens_issued()

    page = priya.get("/")

    assert page.status_code == 200
    assert "Northwind Studio" in text_of(page)
    assert stored_tokens(PRIYA)[0] != before
    assert tokens_issued() == issued + 1


def test_a_token_another_process_refreshed_is_used_not_refreshed_again(priya: Client) -> None:
    """Two processes hold the same sign-in; the second finds the first one's new token."""
    expire_in_our_records(PRIYA)
    grant = AsanaGrant.objects.get()
    first, second = PersonAsana(grant), PersonAsana(grant)
    issued = tokens_issued()

    first.access_token()
    second.access_token()

    assert tokens_issued() == issued + 1
    assert first.access_token() == second.access_token() == stored_tokens(PRIYA)[0]


def test_a_401_for_a_token_another_process_already_replaced_takes_the_new_one(
    priya: Client,
) -> None:
    grant = AsanaGrant.objects.get()
    first, second = PersonAsana(grant), PersonAsana(grant)
    expire_access_tokens(user_gid=PRIYA)
    issued = tokens_issued()

    first.client().me()  # 401, renewed: a new token
    second.client().me()  # 401 for the old one too: takes the first's new token

    assert tokens_issued() == issued + 1
    assert first.access_token() == second.access_token()


def test_a_person_keeps_their_client_and_budget_key_across_a_refresh(priya: Client) -> None:
    user = get_user_model().objects.get(username=f"asana-{PRIYA}")
    person = person_asana(user)
    assert person is not None
    client_before, cache_key = person.client(), person.cache_key
    expire_in_our_records(PRIYA)

    assert person_asana(user) is person
    assert person.client() is client_before  # the same client, given the new token
    assert person.cache_key == cache_key


# --- a sign-in Asana no longer accepts ----------------------------------------------------------


def assert_signed_out_with_message(client: Client, answer: Any) -> None:
    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    # The grant Asana refuses is forgotten: nothing acts for the person any more.
    assert not AsanaGrant.objects.filter(asana_user_gid=PRIYA).exists()
    assert person_asana(get_user_model().objects.get(username=f"asana-{PRIYA}")) is None
    login = client.get(answer["Location"])
    assert login.status_code == 200
    assert html.unescape(SIGN_IN_ENDED) in text_of(login)
    assert 'id="sign-in-with-asana"' in login.content.decode()


@pytest.mark.parametrize("path", ["/", "/audit/", "/overview/"])
def test_a_grant_revoked_in_asana_signs_the_person_out_on_their_next_page(
    priya: Client, path: str
) -> None:
    revoke_grants(user_gid=PRIYA)  # the dashboard's access removed in Asana

    assert_signed_out_with_message(priya, priya.get(path))


def test_a_revoked_grant_found_at_the_refresh_signs_the_person_out(priya: Client) -> None:
    revoke_grants(user_gid=PRIYA)
    expire_in_our_records(PRIYA)

    assert_signed_out_with_message(priya, priya.get("/"))


def test_a_revoked_grant_found_by_a_change_signs_out_and_changes_nothing(
    priya: Client,
) -> None:
    revoke_grants(user_gid=PRIYA)

    answer = priya.post("/categories/create/", {"name": "Never made", "color": "red"})

    assert_signed_out_with_message(priya, answer)
    assert not SandboxCategory.objects.filter(name="Never made").exists()


def test_an_htmx_request_after_revocation_takes_the_whole_page_to_the_login(
    priya: Client,
) -> None:
    revoke_grants(user_gid=PRIYA)

    answer = priya.get("/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})

    assert answer.status_code == 200
    assert answer["HX-Redirect"].startswith(LOGIN)
    assert "_auth_user_id" not in priya.session


def test_a_revoked_grant_found_at_the_roles_recheck_signs_the_person_out(
    priya: Client, settings
) -> None:
    settings.ASANA_ROLES_RECHECK_SECONDS = 0
    revoke_grants(user_gid=PRIYA)

    assert_signed_out_with_message(priya, priya.get("/"))


def test_someone_elses_revocation_leaves_a_person_signed_in(client: Client) -> None:
    sign_in_with_asana(client, CHEN)
    other = Client()
    sign_in_with_asana(other, PRIYA)

    revoke_grants(user_gid=PRIYA)

    assert client.get("/").status_code == 200
    assert "_auth_user_id" in client.session


# --- each person's own Asana budget ------------------------------------------------------------


@pytest.fixture
def budget_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The budget key of every client built for a person, in order."""
    from categories.web import people

    keys: list[str] = []
    build = people.build_client

    def spy(**kwargs: Any) -> Any:
        keys.append(kwargs["budget_key"])
        return build(**kwargs)

    monkeypatch.setattr(people, "build_client", spy)
    return keys


def test_two_people_spend_two_budgets(budget_keys: list[str]) -> None:
    priya, chen = Client(), Client()
    sign_in_with_asana(priya, PRIYA)
    sign_in_with_asana(chen, CHEN)

    assert len(set(budget_keys)) == 2
    assert set(budget_keys) == {person_budget_key(PRIYA), person_budget_key(CHEN)}


def test_a_persons_budget_outlives_their_token(priya: Client, budget_keys: list[str]) -> None:
    before, refresh = stored_tokens(PRIYA)
    expire_in_our_records(PRIYA)
    forget_people()  # another process: a client built anew, with the refreshed token

    assert priya.get("/").status_code == 200

    after, _ = stored_tokens(PRIYA)
    assert after != before
    assert budget_keys == [person_budget_key(PRIYA)]
    assert not [key for key in budget_keys if any(t in key for t in (before, after, refresh))]


# --- Asana's sign-in down at a refresh ---------------------------------------------------------


def test_asana_down_at_a_refresh_says_so_and_keeps_the_person_signed_in(priya: Client) -> None:
    from categories.sandbox.faults import clear_faults, inject_fault

    expire_in_our_records(PRIYA)
    forget_people()
    inject_fault(kind="connection_refused", path_pattern="oauth_token")

    page = priya.get("/")

    assert page.status_code == 503
    assert "Asana is unavailable right now" in text_of(page)
    assert "_auth_user_id" in priya.session
    assert AsanaGrant.objects.filter(asana_user_gid=PRIYA).exists()
    clear_faults()  # Asana is back: the next page refreshes and works
    assert priya.get("/").status_code == 200
