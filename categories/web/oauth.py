"""Asana's OAuth 2.0 endpoints, through Authlib's Django client.

Authlib does the protocol: the `state` kept in the session and checked on the way back,
PKCE (S256: the code verifier kept in the session, its challenge sent), the token
requests and their errors. This module only says where the endpoints are and how the
requests travel:

- the endpoints are at the origin of ASANA_BASE_URL (`/-/oauth_authorize`,
  `/-/oauth_token`), so the HTTP sandbox or any Asana-compatible server serves them too;
- in demo mode the browser approves on the dashboard's own origin (the sandbox's page,
  see categories/sandbox/views.py) and the code is exchanged through the sandbox's
  transport adapter, as every request to the in-process sandbox is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings

from categories.access.tokens import IssuedTokens
from categories.asana import AsanaUnavailable
from categories.web.client import mount_demo_transport, sandbox_origin

AUTHORIZE_PATH = "/-/oauth_authorize"
TOKEN_PATH = "/-/oauth_token"  # noqa: S105 - a path
# What the dashboard may do as the person (their own rights in Asana still apply).
SCOPES = (
    "time_tracking_categories:read",
    "time_tracking_categories:write",
    "time_tracking_categories:delete",
    "time_tracking_entries:read",
    "time_tracking_entries:write",
    "users:read",
    "workspaces:read",
)
# Authlib's error for a refresh token (or code) the server no longer accepts.
INVALID_GRANT = "invalid_grant"


class GrantRefused(Exception):
    """Asana no longer accepts the person's refresh token (revoked or expired)."""


def asana_origin() -> str:
    """Where the OAuth endpoints are: the origin of the API's base URL."""
    if settings.DEMO_MODE:
        return sandbox_origin()
    parts = urlsplit(settings.ASANA_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def asana_oauth() -> DjangoOAuth2App:
    """The registered app, from the current settings (registering is cheap)."""
    # In demo mode the browser cannot reach the in-process sandbox: it approves on this
    # dashboard's own origin, where the sandbox's page is served (a relative address).
    authorize_url = AUTHORIZE_PATH if settings.DEMO_MODE else asana_origin() + AUTHORIZE_PATH
    registry = OAuth()
    return registry.register(
        name="asana",
        client_id=settings.ASANA_OAUTH_CLIENT_ID,
        client_secret=settings.ASANA_OAUTH_CLIENT_SECRET,
        authorize_url=authorize_url,
        access_token_url=asana_origin() + TOKEN_PATH,
        client_kwargs={
            "scope": " ".join(SCOPES),
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": settings.ASANA_TIMEOUT,
        },
        compliance_fix=mount_demo_transport,
    )


def register_demo_app(redirect_uri: str) -> None:
    """Demo mode: register this dashboard with the in-process sandbox (as one registers an
    app in Asana's developer console), for the address it is reached at."""
    if not settings.DEMO_MODE:
        return
    from categories.sandbox.oauth import app_registered

    app_registered(
        client_id=settings.ASANA_OAUTH_CLIENT_ID,
        client_secret=settings.ASANA_OAUTH_CLIENT_SECRET,
        name="Category dashboard",
        redirect_uri=redirect_uri,
    )


def issued_tokens(answer: dict[str, Any]) -> IssuedTokens:
    return IssuedTokens(
        access_token=answer["access_token"],
        expires_in=int(answer.get("expires_in") or 3600),
        refresh_token=answer.get("refresh_token"),
    )


def refreshed_tokens(refresh_token: str) -> IssuedTokens:
    """A new access token for `refresh_token`. GrantRefused when Asana no longer accepts
    it; AsanaUnavailable when Asana could not be asked (the grant may still be fine)."""
    try:
        answer = asana_oauth().fetch_access_token(
            grant_type="refresh_token", refresh_token=refresh_token
        )
    except OAuthError as error:
        if error.error in (INVALID_GRANT, "unauthorized_client", "invalid_client"):
            raise GrantRefused(error.error) from None
        raise AsanaUnavailable(f"Asana's sign-in refused a refresh: {error.error}") from None
    except (requests.RequestException, ValueError) as error:
        raise AsanaUnavailable(
            f"Asana's sign-in did not answer ({type(error).__name__})", request_sent=False
        ) from None
    return issued_tokens(answer)
