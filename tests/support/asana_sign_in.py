"""Signing in with Asana through the dashboard's own views, against the demo sandbox:
the button, the sandbox's approval page (choosing the sandbox person), the callback."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.http import HttpResponse

PRIYA = "1202000000000002"  # a Northwind admin in the sandbox


def approval_page(client: Any, *, next_url: str = "") -> HttpResponse:
    """Press "Sign in with Asana": the redirect to the approval page, followed."""
    started = client.post("/accounts/asana/login/", {"next": next_url} if next_url else {})
    assert started.status_code == 302, started.content[:500]
    return client.get(started["Location"])


def approve(client: Any, page: HttpResponse, *, person_gid: str, decision: str = "allow") -> str:
    """Answer the approval page as `person_gid`; returns where the sandbox sends the browser
    (the dashboard's callback, with a code and the state)."""
    request = page.wsgi_request
    form = {
        f"oauth_{key}": value for key, value in parse_qsl(urlsplit(request.get_full_path()).query)
    }
    answered = client.post(
        request.get_full_path(), {**form, "user": person_gid, "decision": decision}
    )
    assert answered.status_code == 302, answered.content[:500]
    return answered["Location"]


def sign_in_with_asana(client: Any, *, person_gid: str = PRIYA) -> HttpResponse:
    """The whole flow; returns the callback's answer (a redirect into the dashboard)."""
    callback = approve(client, approval_page(client), person_gid=person_gid)
    return client.get(callback)
