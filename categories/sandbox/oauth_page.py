"""The approval page at /-/oauth_authorize, for both ways the sandbox is reached: the
dashboard serves it as a Django view in demo mode (the browser must reach it, and the
in-process sandbox has no address of its own), the HTTP server for every other client.

The person chooses which sandbox user they are, then allows or denies the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.template.loader import render_to_string

from .models import SandboxUser
from .oauth import Consent, Refusal, consent_for, decide
from .responses import SandboxResponse

TEMPLATE = "sandbox/oauth_authorize.html"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
SCOPE_WORDS = {
    "time_tracking_categories:read": "see time tracking categories",
    "time_tracking_categories:write": "create and edit time tracking categories",
    "time_tracking_categories:delete": "delete time tracking categories",
    "time_tracking_entries:read": "see time entries",
    "time_tracking_entries:write": "edit time entries",
    "users:read": "see who you are and your workspace roles",
    "workspaces:read": "see your workspaces",
}


@dataclass(frozen=True)
class Page:
    status: int
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Redirect:
    location: str


def approval(method: str, query: Mapping[str, str], form: Mapping[str, str]) -> Page | Redirect:
    """GET shows the request (or why it is refused); POST carries out the decision."""
    if method.upper() != "POST":
        return _shown(consent_for(query))
    params = {
        key[len("oauth_") :]: value for key, value in form.items() if key.startswith("oauth_")
    }
    if form.get("decision") == "deny":
        return Redirect(decide(params, user=None))
    user = SandboxUser.find(form.get("user", ""))
    if user is None:
        return _shown(consent_for(params), error="Choose who you are in the sandbox.", status=422)
    return Redirect(decide(params, user=user))


def _shown(
    result: Consent | Refusal | str, *, error: str = "", status: int = 200
) -> Page | Redirect:
    if isinstance(result, str):
        return Redirect(result)
    if isinstance(result, Refusal):
        return Page(400, {"refusal": result.message})
    return Page(
        status,
        {
            "client_name": result.client_name,
            "scopes": [SCOPE_WORDS.get(scope, scope) for scope in result.scopes],
            "params": sorted(result.params.items()),
            "people": _people(),
            "error": error,
        },
    )


def _people() -> list[dict[str, Any]]:
    """Who one may be, with their standing in each workspace (what the dashboard's roles
    will follow), so a demo user can choose the rights they want to try."""
    users = SandboxUser.objects.order_by("id").prefetch_related(
        "workspaces", "admin_of", "guest_of"
    )
    return [
        {
            "gid": user.gid,
            "name": user.name,
            "email": user.email,
            "workspaces": ", ".join(_standing(user, w) for w in user.workspaces.all()),
        }
        for user in users
    ]


def _standing(user: SandboxUser, workspace: Any) -> str:
    if workspace in user.admin_of.all():
        return f"{workspace.name} (admin)"
    if workspace in user.guest_of.all():
        return f"{workspace.name} (guest)"
    return workspace.name


def approval_response(method: str, query: Mapping[str, str], body: bytes) -> SandboxResponse:
    """The page for the HTTP server: the same decision, rendered without a Django request
    (the HTTP sandbox is a stand-in on this machine: it keeps no sessions, so no CSRF)."""
    form = dict(parse_qsl(body.decode("utf-8", "replace"))) if method.upper() == "POST" else {}
    outcome = approval(method, query, form)
    if isinstance(outcome, Redirect):
        return SandboxResponse(302, b"", {"Location": outcome.location})
    html = render_to_string(TEMPLATE, {**outcome.context, "with_styles": False})
    return SandboxResponse(outcome.status, html.encode(), {"Content-Type": HTML_CONTENT_TYPE})
