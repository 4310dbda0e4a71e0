"""Signing in with the sandbox: Asana's two OAuth endpoints, offline.

The approval page (who you are, allow or deny) gives the app a code; the token endpoint
exchanges it (PKCE S256, once, within minutes, for the same redirect URI) for an access
token that answers the API as that person, and a refresh token that lasts until revoked.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.db import connection
from django.utils import timezone

from categories.sandbox.models import SandboxOAuthCode
from categories.sandbox.oauth import (
    Consent,
    Refusal,
    consent_for,
    decide,
    expire_access_tokens,
    register_client,
    revoke_grants,
)
from categories.sandbox.seed import USERS, seed_demo_data
from categories.sandbox.server import SandboxHTTPServer, make_server
from tests.support.sandbox import ALEX, TODAY, sandbox_session

TOKEN_URL = "http://asana-sandbox.local/-/oauth_token"
API = "http://asana-sandbox.local/api/1.0"
CLIENT_ID, CLIENT_SECRET = "dashboard", "client-secret-for-tests"
REDIRECT = "http://127.0.0.1:8000/accounts/asana/callback/"
PRIYA = "1202000000000002"


@pytest.fixture
def app(seeded_sandbox: None) -> None:
    register_client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name="Category dashboard",
        redirect_uris=[REDIRECT],
    )


def authorize_query(verifier: str, **overrides: str) -> dict[str, str]:
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "state": "state-123",
        "scope": "users:read workspaces:read",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    query.update(overrides)
    return {key: value for key, value in query.items() if value != ""}


def approve(user_gid: str = PRIYA, **overrides: str) -> tuple[str, str]:
    """The person approves; returns (code, verifier)."""
    from categories.sandbox.models import SandboxUser

    verifier = generate_token(48)
    location = decide(authorize_query(verifier, **overrides), user=SandboxUser.find(user_gid))
    returned = parse_qs(urlsplit(location).query)
    assert returned["state"] == ["state-123"]
    return returned["code"][0], verifier


def exchange(code: str, verifier: str | None, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code_verifier": verifier or "",
    }
    form.update(overrides)
    return sandbox_session(None).post(TOKEN_URL, data={k: v for k, v in form.items() if v})


def refresh(refresh_token: str) -> requests.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return sandbox_session(None).post(TOKEN_URL, data=form)


def me(access_token: str) -> requests.Response:
    return sandbox_session(access_token).get(f"{API}/users/me")


def signed_in(user_gid: str = PRIYA) -> dict[str, Any]:
    answer = exchange(*approve(user_gid))
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- the approval page's decision -----------------------------------------------------------


def test_a_valid_request_asks_the_person_and_names_the_app(app: None) -> None:
    consent = consent_for(authorize_query(generate_token(48)))

    assert isinstance(consent, Consent)
    assert consent.client_name == "Category dashboard"
    assert consent.scopes == ["users:read", "workspaces:read"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"client_id": "someone-else"}, "does not exist"),
        ({"redirect_uri": "https://evil.example/callback"}, "redirect"),
        ({"redirect_uri": "http://127.0.0.1:8000/elsewhere/"}, "redirect"),
    ],
)
def test_an_unknown_app_or_address_is_refused_on_the_page_never_redirected(
    app: None, overrides: dict[str, str], reason: str
) -> None:
    refused = consent_for(authorize_query(generate_token(48), **overrides))

    assert isinstance(refused, Refusal)
    assert reason in refused.message.lower()


def test_a_loopback_redirect_uri_may_use_any_port(app: None) -> None:
    other_port = REDIRECT.replace(":8000", ":51234")

    assert isinstance(consent_for(authorize_query("v" * 48, redirect_uri=other_port)), Consent)


def test_a_request_without_pkce_goes_back_to_the_app_with_an_error(app: None) -> None:
    location = consent_for(authorize_query("v" * 48, code_challenge="", code_challenge_method=""))

    assert isinstance(location, str)
    returned = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT)
    assert returned["error"] == ["invalid_request"]
    assert returned["state"] == ["state-123"]


def test_denying_sends_the_person_back_with_access_denied(app: None) -> None:
    location = decide(authorize_query("v" * 48), user=None)

    returned = parse_qs(urlsplit(location).query)
    assert returned["error"] == ["access_denied"]
    assert returned["state"] == ["state-123"]
    assert "code" not in returned


# --- the code's exchange ------------------------------------------------------------------------


def test_the_token_answer_names_the_user_and_acts_as_them(app: None) -> None:
    token = signed_in(PRIYA)

    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["refresh_token"]
    assert token["data"] == {
        "id": int(PRIYA),
        "gid": PRIYA,
        "name": USERS[1][0],
        "email": USERS[1][1],
    }
    who = me(token["access_token"]).json()["data"]
    assert who["gid"] == PRIYA  # not the demo user every other token stands for
    assert [w["name"] for w in who["workspaces"]] == ["Northwind Studio"]


def test_the_token_lifetime_is_configurable(app: None, settings) -> None:
    settings.SANDBOX_OAUTH_TOKEN_SECONDS = 7

    assert signed_in()["expires_in"] == 7


def test_a_code_works_once_and_presenting_it_again_revokes_what_it_gave(app: None) -> None:
    code, verifier = approve()
    first = exchange(code, verifier)
    assert first.status_code == 200

    again = exchange(code, verifier)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert me(first.json()["access_token"]).status_code == 401
    assert refresh(first.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_the_pkce_verifier_must_match_the_challenge(app: None) -> None:
    code, _verifier = approve()

    wrong = exchange(code, generate_token(48))

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"


def test_a_missing_verifier_is_refused(app: None) -> None:
    code, _verifier = approve()

    assert exchange(code, None).json()["error"] == "invalid_request"


def test_the_redirect_uri_must_be_the_one_the_code_was_issued_for(app: None) -> None:
    code, verifier = approve()

    answer = exchange(code, verifier, redirect_uri=REDIRECT.replace(":8000", ":9000"))

    assert answer.json()["error"] == "invalid_grant"


def test_a_code_expires_within_minutes(app: None) -> None:
    code, verifier = approve()
    SandboxOAuthCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert exchange(code, verifier).json()["error"] == "invalid_grant"


def test_the_client_secret_is_checked(app: None) -> None:
    code, verifier = approve()

    answer = exchange(code, verifier, client_secret="not-the-secret")

    assert answer.status_code in (400, 401)
    assert answer.json()["error"] == "invalid_client"


# --- refresh, expiry, revocation ---------------------------------------------------------------


def test_a_refresh_gives_a_new_access_token_for_the_same_person(app: None) -> None:
    token = signed_in()

    renewed = refresh(token["refresh_token"])

    assert renewed.status_code == 200
    body = renewed.json()
    assert body["access_token"] != token["access_token"]
    assert "refresh_token" not in body  # Asana keeps the refresh token
    assert me(body["access_token"]).json()["data"]["gid"] == PRIYA


def test_an_expired_access_token_is_refused_until_refreshed(app: None) -> None:
    token = signed_in()

    assert expire_access_tokens(user_gid=PRIYA) == 1
    assert me(token["access_token"]).status_code == 401

    renewed = refresh(token["refresh_token"]).json()
    assert me(renewed["access_token"]).status_code == 200


def test_a_revoked_grant_refuses_its_tokens_and_its_refresh(app: None) -> None:
    priya, alex = signed_in(PRIYA), signed_in(ALEX)

    assert revoke_grants(user_gid=PRIYA) == 1

    assert me(priya["access_token"]).status_code == 401
    assert refresh(priya["refresh_token"]).json()["error"] == "invalid_grant"
    assert me(alex["access_token"]).status_code == 200  # only Priya's grant


def test_an_unknown_sandbox_token_is_refused(app: None) -> None:
    assert me("sandbox-oauth-made-up").status_code == 401


def test_other_tokens_still_act_as_the_demo_user(app: None) -> None:
    assert me("any-token").json()["data"]["gid"] == ALEX


def test_the_database_keeps_no_code_or_token(app: None) -> None:
    code, verifier = approve()
    token = exchange(code, verifier).json()
    renewed = refresh(token["refresh_token"]).json()
    secrets = [code, token["access_token"], token["refresh_token"], renewed["access_token"]]

    tables = [
        t for t in connection.introspection.table_names() if t.startswith("sandbox_sandboxoauth")
    ]
    dump = ""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump += repr(cursor.fetchall())

    assert len(tables) == 4
    assert dump
    assert not [secret for secret in secrets if secret in dump]
    assert CLIENT_SECRET not in dump


# --- the approval page in the browser's reach -----------------------------------------------


def test_the_dashboard_serves_the_approval_page_without_a_sign_in(app: None, client) -> None:
    verifier = generate_token(48)

    page = client.get("/-/oauth_authorize", authorize_query(verifier))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Allow Category dashboard to access your Asana account?" in html
    assert all(name.replace("'", "&#x27;") in html for name, *_ in USERS)


def test_approving_on_the_page_returns_to_the_app_with_a_code(app: None, client) -> None:
    verifier = generate_token(48)
    fields = {f"oauth_{key}": value for key, value in authorize_query(verifier).items()}

    answer = client.post("/-/oauth_authorize", {**fields, "user": PRIYA, "decision": "allow"})

    assert answer.status_code == 302
    returned = parse_qs(urlsplit(answer["Location"]).query)
    assert answer["Location"].startswith(REDIRECT)
    assert exchange(returned["code"][0], verifier).json()["data"]["gid"] == PRIYA


def test_approving_without_choosing_a_person_asks_again(app: None, client) -> None:
    fields = {f"oauth_{key}": value for key, value in authorize_query("v" * 48).items()}

    answer = client.post("/-/oauth_authorize", {**fields, "decision": "allow"})

    assert answer.status_code == 422
    assert "Choose who you are" in answer.content.decode()


def test_a_refused_request_is_a_400_page(app: None, client) -> None:
    answer = client.get("/-/oauth_authorize", authorize_query("v" * 48, client_id="nobody"))

    assert answer.status_code == 400
    assert "cannot go on" in answer.content.decode()


# --- over real HTTP: the sandbox server -----------------------------------------------------


@pytest.fixture
def live_sandbox(transactional_db: None) -> Iterator[SandboxHTTPServer]:
    seed_demo_data(today=TODAY)
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_http_sandbox_signs_in_end_to_end(live_sandbox: SandboxHTTPServer) -> None:
    origin = live_sandbox.base_url.rsplit("/api/", 1)[0]
    control = {"Authorization": f"Bearer {live_sandbox.control_token}"}
    registered = requests.post(
        f"{origin}/_sandbox/oauth/clients",
        json={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "name": "Dash",
            "redirect_uris": [REDIRECT],
        },
        headers=control,
        timeout=5,
    )
    assert registered.status_code == 201
    verifier = generate_token(48)

    page = requests.get(f"{origin}/-/oauth_authorize", authorize_query(verifier), timeout=5)
    assert page.status_code == 200
    assert "Allow Dash to access your Asana account?" in page.text
    fields = {f"oauth_{key}": value for key, value in authorize_query(verifier).items()}
    approved = requests.post(
        f"{origin}/-/oauth_authorize",
        data={**fields, "user": PRIYA, "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    assert approved.status_code == 302
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    token = requests.post(
        f"{origin}/-/oauth_token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=5,  # client_secret_basic this time
    ).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert (
        requests.get(f"{live_sandbox.base_url}/users/me", headers=bearer, timeout=5).json()["data"][
            "gid"
        ]
        == PRIYA
    )

    expired = requests.post(
        f"{origin}/_sandbox/oauth/expire", json={"user": PRIYA}, headers=control, timeout=5
    )
    assert expired.json()["data"] == {"expired": 1}
    assert (
        requests.get(f"{live_sandbox.base_url}/users/me", headers=bearer, timeout=5).status_code
        == 401
    )
    revoked = requests.post(f"{origin}/_sandbox/oauth/revoke", headers=control, timeout=5)
    assert revoked.json()["data"] == {"revoked": 1}


def test_the_oauth_controls_need_the_control_token(live_sandbox: SandboxHTTPServer) -> None:
    origin = live_sandbox.base_url.rsplit("/api/", 1)[0]

    answer = requests.post(f"{origin}/_sandbox/oauth/revoke", timeout=5)

    assert answer.status_code == 401
