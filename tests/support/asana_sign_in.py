"""Signing in with Asana in tests: Django's test client against the dashboard in demo mode,
whose approval page is the sandbox's (served by the dashboard at /-/oauth_authorize).

    answer = sign_in_with_asana(client, PRIYA)   # the callback's answer (a redirect)

Each step is a function of its own, so a test can stop between two of them (keep the code
to present it again, change the state, make the token endpoint fail).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from categories.access.models import AsanaGrant
from categories.access.tokens import access_token_of, refresh_token_of

# The sandbox's demo people (categories/sandbox/seed.py: USERS, ADMINS, GUESTS).
ALEX = "1202000000000001"  # admin of Northwind and of Acme
PRIYA = "1202000000000002"  # admin of Northwind
CHEN = "1202000000000005"  # member of Northwind and of Acme, admin of neither
AMARA = "1202000000000007"  # member of Acme
SAM = "1202000000000009"  # guest of Northwind
NAMES = {
    ALEX: "Alex Morgan",
    PRIYA: "Priya Raman",
    CHEN: "Chen Wei",
    AMARA: "Amara Okafor",
    SAM: "Sam Rivera",
}

LOGIN = "/accounts/login/"
START = "/accounts/asana/login/"
CALLBACK = "/accounts/asana/callback/"
APPROVAL = "/-/oauth_authorize"


def start(client: Client, next_url: str = "") -> Any:
    """Press "Sign in with Asana": the answer sends the browser to the approval page."""
    return client.post(START, {"next": next_url} if next_url else {})


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def decide(client: Client, started: Any, user_gid: str | None) -> Any:
    """On the approval page: allow as `user_gid`, or deny (None). Returns the page's
    answer: a redirect to the dashboard's callback."""
    fields = {f"oauth_{key}": value for key, value in query_of(started["Location"]).items()}
    decision = {"user": user_gid, "decision": "allow"} if user_gid else {"decision": "deny"}
    return client.post(APPROVAL, {**fields, **decision})


def callback_path(approved: Any) -> str:
    """The callback's address, as the browser would open it (path and query)."""
    parts = urlsplit(approved["Location"])
    assert parts.path == CALLBACK, approved["Location"]
    return f"{parts.path}?{parts.query}"


def sign_in_with_asana(client: Client, user_gid: str, next_url: str = "") -> Any:
    """The whole flow; returns the callback's answer."""
    approved = decide(client, start(client, next_url), user_gid)
    return client.get(callback_path(approved))


def stored_tokens(user_gid: str) -> tuple[str, str]:
    """(access token, refresh token) the dashboard keeps for the person, decrypted."""
    grant = AsanaGrant.objects.get(asana_user_gid=user_gid)
    return access_token_of(grant), refresh_token_of(grant)
