"""Signing in with Asana, end to end with Django's test client: the dashboard in demo mode
signs in against the offline sandbox (its approval page, its token endpoint), as `make run`
shows it.

The button starts OAuth's authorization code flow with PKCE (S256) and `state`; approving
as a sandbox person brings them back signed in as that person, on their own workspace.
Whatever goes wrong on the way (a forged or stale answer, a code used twice, a denial,
Asana down) ends on the login page with a message and nobody signed in, never a 500.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from categories.access.asana_sign_in import DENIED, STARTED_ELSEWHERE, UNREACHABLE
from categories.access.models import AsanaGrant
from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxOAuthGrant
from tests.security.settings_runs import settings_under
from tests.support.asana_sign_in import (
    AMARA,
    APPROVAL,
    CALLBACK,
    LOGIN,
    NAMES,
    PRIYA,
    START,
    callback_path,
    decide,
    query_of,
    sign_in_with_asana,
    start,
)
from tests.support.sandbox import ACME, NORTHWIND
from tests.support.screens import text_of

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def signed_in_username(client: Client) -> str | None:
    from django.contrib.auth import get_user_model

    user_id = client.session.get("_auth_user_id")
    if user_id is None:
        return None
    return get_user_model().objects.get(pk=user_id).username


# --- the button -------------------------------------------------------------------------------


def test_the_login_page_offers_sign_in_with_asana(client: Client) -> None:
    page = client.get(LOGIN)

    assert page.status_code == 200
    assert 'id="sign-in-with-asana"' in page.content.decode()
    assert f'action="{START}"' in page.content.decode()


def test_without_an_oauth_app_the_login_page_works_as_before(client: Client, settings) -> None:
    settings.ASANA_OAUTH_ENABLED = False

    page = client.get(LOGIN)

    assert page.status_code == 200
    assert "Sign in with Asana" not in page.content.decode()
    assert 'name="password"' in page.content.decode()
    assert start(client).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("environment", "enabled"),
    [
        ({}, True),  # `make run`: the demo signs in with the sandbox
        ({"DEMO_OAUTH": "false"}, False),
        ({"DEMO_MODE": "false", "ASANA_ACCESS_TOKEN": "2/deployment-token"}, False),
        (
            {
                "DEMO_MODE": "false",
                "ASANA_OAUTH_CLIENT_ID": "12345",
                "ASANA_OAUTH_CLIENT_SECRET": "app-secret",
            },
            True,
        ),
    ],
)
def test_the_button_is_offered_only_with_an_oauth_app(
    environment: dict[str, str], enabled: bool
) -> None:
    unset = {"ASANA_ACCESS_TOKEN": "", "ASANA_OAUTH_CLIENT_ID": "", "ASANA_OAUTH_CLIENT_SECRET": ""}
    env = {"ALLOWED_HOSTS": "127.0.0.1,localhost", **unset, **environment}

    assert settings_under(env, ["ASANA_OAUTH_ENABLED"]) == {"ASANA_OAUTH_ENABLED": enabled}


# --- starting -----------------------------------------------------------------------------------


def test_the_button_sends_the_browser_to_the_approval_page_with_state_and_pkce(
    client: Client,
) -> None:
    started = start(client)

    assert started.status_code == 302
    assert started["Location"].startswith(APPROVAL + "?")
    query = query_of(started["Location"])
    assert query["response_type"] == "code"
    assert query["client_id"]
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert len(query["state"]) >= 20
    assert query["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])  # SHA-256, base64url
    assert {"users:read", "workspaces:read", "time_tracking_categories:read"} <= set(
        query["scope"].split()
    )
    # Each start has its own state and verifier.
    again = query_of(start(client)["Location"])
    assert again["state"] != query["state"]
    assert again["code_challenge"] != query["code_challenge"]


def test_the_start_is_a_post_only(client: Client) -> None:
    assert client.get(START).status_code == 405


def test_the_approval_page_names_the_app_and_lists_the_people(client: Client) -> None:
    page = client.get(start(client)["Location"])

    assert page.status_code == 200
    assert "Allow Category dashboard to access your Asana account?" in text_of(page)
    assert NAMES[PRIYA] in text_of(page)
    # Each person's standing in each workspace, so a demo user can choose the rights to try.
    assert "Alex Morgan alex.morgan@northwind.example · Northwind Studio (admin), Acme" in text_of(
        page
    )
    assert "sam.rivera@freelance.example · Northwind Studio (guest)" in text_of(page)
    assert "chen.wei@northwind.example · Northwind Studio, Acme Consulting Group" in text_of(page)


# --- back, signed in -------------------------------------------------------------------------


def test_approving_as_a_sandbox_person_signs_them_in_on_their_own_workspace(
    client: Client,
) -> None:
    answer = sign_in_with_asana(client, AMARA)

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert signed_in_username(client) == f"asana-{AMARA}"
    assert client.session["workspace"] == {"gid": ACME, "name": "Acme Consulting Group"}
    home = client.get("/")
    assert home.status_code == 200
    page = text_of(home)
    assert f"Signed in with Asana as {NAMES[AMARA]}." in page
    assert f"Signed in as {NAMES[AMARA]}" in page
    assert "Workspace: Acme Consulting Group" in page


def test_a_person_in_the_default_workspace_lands_there(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)

    assert client.session["workspace"]["gid"] == NORTHWIND


def test_the_grant_is_kept_for_the_person(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)

    grant = AsanaGrant.objects.get(user__username=f"asana-{PRIYA}")
    assert (grant.asana_user_gid, grant.name) == (PRIYA, NAMES[PRIYA])
    assert grant.roles_checked_at is not None


def test_signing_in_again_uses_the_same_account(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)
    first = client.session["_auth_user_id"]
    client.post("/accounts/logout/")

    sign_in_with_asana(client, PRIYA)

    assert client.session["_auth_user_id"] == first
    assert AsanaGrant.objects.filter(asana_user_gid=PRIYA).count() == 1


def test_the_page_asked_for_comes_next(client: Client) -> None:
    answer = sign_in_with_asana(client, PRIYA, next_url="/audit/?action=delete")

    assert answer["Location"] == "/audit/?action=delete"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_another_sites_address_is_never_where_signing_in_leads(
    client: Client, next_url: str
) -> None:
    answer = sign_in_with_asana(client, PRIYA, next_url=next_url)

    assert answer["Location"] == "/"
    assert signed_in_username(client) == f"asana-{PRIYA}"


# --- refused ----------------------------------------------------------------------------------


def assert_refused(answer: Any, client: Client, message: str, status: int = 400) -> None:
    assert answer.status_code == status
    assert message in text_of(answer)
    assert 'id="sign-in-with-asana"' in answer.content.decode()  # the login page, to retry
    assert signed_in_username(client) is None
    assert not AsanaGrant.objects.exists()


def test_an_answer_whose_state_this_browser_did_not_send_is_refused(client: Client) -> None:
    approved = decide(client, start(client), PRIYA)
    forged = callback_path(approved).replace("state=", "state=x")

    assert_refused(client.get(forged), client, STARTED_ELSEWHERE)


def test_an_answer_brought_to_another_browser_is_refused(client: Client) -> None:
    """Login CSRF: someone's approved code, planted in a victim's browser."""
    approved = decide(client, start(client), PRIYA)
    victim = Client()

    assert_refused(victim.get(callback_path(approved)), victim, STARTED_ELSEWHERE)


def test_an_answer_without_state_is_refused(client: Client) -> None:
    approved = decide(client, start(client), PRIYA)
    code = query_of(approved["Location"])["code"]

    assert_refused(client.get(CALLBACK, {"code": code}), client, STARTED_ELSEWHERE)


def test_a_code_already_used_is_refused(client: Client) -> None:
    started = start(client)
    state_key = f"_state_asana_{query_of(started['Location'])['state']}"
    waiting = client.session[state_key]  # the state and the PKCE verifier
    callback = callback_path(decide(client, started, PRIYA))
    assert client.get(callback).status_code == 302
    client.post("/accounts/logout/")
    client.cookies.pop("sessionid")  # signing out emptied the session: start a new one
    AsanaGrant.objects.all().delete()
    # Replayed as it was: same state, same verifier, the code already spent.
    session = client.session
    session[state_key] = waiting
    session.save()

    assert_refused(client.get(callback), client, STARTED_ELSEWHERE)
    # What the code gave is revoked too: whoever holds it cannot use it (RFC 6749, 4.1.2).
    assert SandboxOAuthGrant.objects.get().revoked_at is not None


def test_opening_the_answer_again_after_signing_in_is_refused(client: Client) -> None:
    callback = callback_path(decide(client, start(client), PRIYA))
    client.get(callback)
    client.post("/accounts/logout/")
    AsanaGrant.objects.all().delete()

    assert_refused(client.get(callback), client, STARTED_ELSEWHERE)


def test_denying_on_the_approval_page_says_you_are_not_signed_in(client: Client) -> None:
    denied = decide(client, start(client), None)
    assert query_of(denied["Location"])["error"] == "access_denied"

    assert_refused(client.get(callback_path(denied)), client, DENIED)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("invalid_scope", "Asana did not complete the sign-in (invalid_scope)"),
        ("<script>x</script>", "Asana did not complete the sign-in (unknown error)"),
        ("temporarily_unavailable", "could not be reached"),
    ],
)
def test_another_refusal_from_asana_says_what_asana_answered(
    client: Client, error: str, said: str
) -> None:
    denied = decide(client, start(client), None)
    state = query_of(denied["Location"])["state"]

    answer = client.get(f"/accounts/asana/callback/?error={quote(error)}&state={state}")

    assert answer.status_code == 400
    assert said in text_of(answer)
    assert "<script>x" not in answer.content.decode()
    assert signed_in_username(client) is None


@pytest.mark.parametrize("kind", ["connection_refused", "status", "malformed"])
def test_asana_unreachable_for_the_exchange_is_a_503_saying_so(client: Client, kind: str) -> None:
    approved = decide(client, start(client), PRIYA)
    inject_fault(kind=kind, path_pattern="oauth_token", status=503 if kind == "status" else None)

    answer = client.get(callback_path(approved))

    assert_refused(answer, client, UNREACHABLE, status=503)
    assert "could not be reached" in UNREACHABLE


def test_asana_unreachable_for_the_roles_is_a_503_and_nobody_signed_in(client: Client) -> None:
    approved = decide(client, start(client), PRIYA)
    inject_fault(kind="status", path_pattern="workspace_memberships", status=503, times=10)

    answer = client.get(callback_path(approved))

    assert answer.status_code == 503
    assert UNREACHABLE in text_of(answer)
    assert signed_in_username(client) is None


def test_a_signed_in_person_opening_a_stale_answer_stays_signed_in_and_is_told(
    client: Client,
) -> None:
    """The Back button after signing in: the answer is spent, the person still signed in."""
    callback = callback_path(decide(client, start(client), PRIYA))
    client.get(callback)

    again = client.get(callback)

    assert again.status_code == 302  # a page to go on to, not a blank 400
    assert again["Location"] == "/"
    assert signed_in_username(client) == f"asana-{PRIYA}"
    assert STARTED_ELSEWHERE in text_of(client.get("/"))


@pytest.mark.parametrize("missing", ["refresh_token", "data"])
def test_a_token_answer_missing_what_a_sign_in_needs_is_refused_not_a_500(
    client: Client, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    """Asana's answer to a code names the user and carries a refresh token; one that does
    not (a proxy, a changed API) cannot sign anyone in."""
    from authlib.integrations.django_client import DjangoOAuth2App

    exchange = DjangoOAuth2App.authorize_access_token

    def incomplete(self: DjangoOAuth2App, request: Any, **kwargs: Any) -> dict[str, Any]:
        answer = exchange(self, request, **kwargs)
        answer.pop(missing, None)
        return answer

    monkeypatch.setattr(DjangoOAuth2App, "authorize_access_token", incomplete)
    approved = decide(client, start(client), PRIYA)

    answer = client.get(callback_path(approved))

    assert_refused(answer, client, UNREACHABLE, status=502)
