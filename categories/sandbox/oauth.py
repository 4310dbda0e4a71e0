"""Signing in with the sandbox: Asana's two OAuth 2.0 endpoints, offline.

- `/-/oauth_authorize` (the approval page, `categories.sandbox.oauth_page`): the person
  picks which sandbox user they are and allows (or denies) the app; the app gets a code.
- `/-/oauth_token`: `authorization_code` (PKCE S256 verified, code single-use and valid for
  `CODE_SECONDS`, redirect URI checked) and `refresh_token` grants. The answer carries the
  user as Asana's does: `data: {gid, name, email}`. Access tokens expire after
  SANDBOX_OAUTH_TOKEN_SECONDS (an hour, as Asana's); refresh tokens last until revoked.

The protocol is Authlib's authorization server (framework-agnostic core); this module
gives it the sandbox's records (`oauth_models`), a token generator and the two transports'
requests. Access tokens it issues answer the API as their user (`user_for_access_token`);
`revoke_grants` and `expire_access_tokens` are the controls tests use.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Error, OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7636 import CodeChallenge
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SandboxUser
from .oauth_models import (
    SandboxOAuthClient,
    SandboxOAuthCode,
    SandboxOAuthGrant,
    SandboxOAuthToken,
    secret_hash,
)
from .responses import ApiError, SandboxResponse

AUTHORIZE_PATH = "/-/oauth_authorize"
TOKEN_PATH = "/-/oauth_token"  # noqa: S105 - a path
CODE_SECONDS = 300
# Tokens the sandbox issues say so, so an API call can tell them from the "any token is
# the demo user" tokens of demo mode and the tests, which keep working as before.
ACCESS_TOKEN_PREFIX = "sandbox-oauth-"  # noqa: S105 - a prefix, not a secret
REFRESH_TOKEN_PREFIX = "sandbox-refresh-"  # noqa: S105
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def token_seconds() -> int:
    return settings.SANDBOX_OAUTH_TOKEN_SECONDS


# --- registering an app --------------------------------------------------------------------


def register_client(
    *, client_id: str, client_secret: str, name: str, redirect_uris: list[str]
) -> SandboxOAuthClient:
    """Register (or update) an app, as Asana's developer console does."""
    client, _ = SandboxOAuthClient.objects.update_or_create(
        client_id=client_id,
        defaults={
            "client_secret_hash": secret_hash(client_secret),
            "name": name,
            "redirect_uris": "\n".join(redirect_uris),
        },
    )
    return client


def app_registered(*, client_id: str, client_secret: str, name: str, redirect_uri: str) -> None:
    """Make sure the app is registered with this secret and may use `redirect_uri` (demo
    mode registers the dashboard itself, for the address it is reached at)."""
    client = SandboxOAuthClient.objects.filter(client_id=client_id).first()
    known = client.redirect_uri_list() if client is not None else []
    up_to_date = client is not None and client.check_client_secret(client_secret)
    if up_to_date and client is not None and client.check_redirect_uri(redirect_uri):
        return
    register_client(
        client_id=client_id,
        client_secret=client_secret,
        name=name,
        redirect_uris=[*known, redirect_uri],
    )


def redirect_uri_matches(requested: str, registered: str) -> bool:
    """Exactly the registered URL; for a loopback host any port (RFC 8252, section 7.3:
    an app on this machine cannot know its port in advance)."""
    if requested == registered:
        return True
    asked, known = urlsplit(requested), urlsplit(registered)
    same_but_port = (asked.scheme, asked.hostname, asked.path, asked.query) == (
        known.scheme,
        known.hostname,
        known.path,
        known.query,
    )
    return same_but_port and _is_loopback(asked.hostname)


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the approval page's two steps ---------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """A valid authorization request, waiting for the person's decision."""

    client_name: str
    scopes: list[str]
    params: dict[str, str]  # the request, posted back with the decision


@dataclass(frozen=True)
class Refusal:
    """A request the page refuses outright (unknown app, unregistered redirect URI):
    it cannot be sent back to an address nobody vouched for."""

    message: str


def consent_for(query: Mapping[str, str]) -> Consent | Refusal | str:
    """What the approval page shows for `query`: the consent, a refusal, or (for a bad
    request from a known app and redirect URI) the address to send the person back to."""
    request = _request("GET", AUTHORIZE_PATH, query=query)
    try:
        grant = _server().get_consent_grant(request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return _error_location(error)
        return Refusal(error.description or error.error)
    return Consent(
        client_name=grant.client.name,
        scopes=(request.payload.scope or "").split(),
        params=dict(query),
    )


def decide(params: Mapping[str, str], *, user: SandboxUser | None) -> str:
    """The address the person goes back to: with a code when `user` allowed the app, with
    `error=access_denied` when they denied it (None)."""
    request = _request("GET", AUTHORIZE_PATH, query=params)
    server = _server()
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return _error_location(error)
        raise ApiError(400, error.description or error.error) from None
    response = server.create_authorization_response(request, grant_user=user, grant=grant)
    return response.headers["Location"]


def _error_location(error: OAuth2Error) -> str:
    """The app's redirect URI with the error (and the request's state) in its query."""
    _status, _body, headers = error()
    return dict(headers)["Location"]


# --- the token endpoint --------------------------------------------------------------------


def token_response(
    *, method: str, url: str, headers: Mapping[str, str], body: bytes
) -> SandboxResponse:
    """Answer POST /-/oauth_token (both grants), with OAuth's own error shape."""
    if method.upper() != "POST":
        return _json(405, {"error": "invalid_request", "error_description": "Use POST."})
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    request = _request("POST", url, query=dict(parse_qsl(urlsplit(url).query)), form=form)
    request.headers = dict(headers)
    with transaction.atomic():
        return _server().create_token_response(request)


# --- what API calls and tests use -----------------------------------------------------------


def is_oauth_token(token: str) -> bool:
    return token.startswith(ACCESS_TOKEN_PREFIX)


def user_for_access_token(token: str) -> SandboxUser:
    """The user a sandbox-issued access token answers as; a 401 once it expired or its
    grant was revoked (as Asana answers)."""
    found = (
        SandboxOAuthToken.objects.select_related("grant__user")
        .filter(access_token_hash=secret_hash(token))
        .first()
    )
    if found is None or found.grant.is_revoked() or found.expires_at <= timezone.now():
        raise ApiError(401, "Not Authorized")
    return found.grant.user


def revoke_grants(*, user_gid: str | None = None) -> int:
    """Revoke every grant (of one user, or everyone's): their refresh tokens stop working
    and so do the access tokens issued under them, as when someone removes the app in
    Asana. Returns how many were revoked."""
    grants_ = SandboxOAuthGrant.objects.filter(revoked_at__isnull=True)
    if user_gid is not None:
        grants_ = grants_.filter(user_id=SandboxUser.pk_from_gid(user_gid))
    return grants_.update(revoked_at=timezone.now())


def expire_access_tokens(*, user_gid: str | None = None) -> int:
    """Make the access tokens (of one user, or everyone's) expire now: the next API call
    with one gets a 401 and the app must use its refresh token."""
    tokens = SandboxOAuthToken.objects.filter(expires_at__gt=timezone.now())
    if user_gid is not None:
        tokens = tokens.filter(grant__user_id=SandboxUser.pk_from_gid(user_gid))
    return tokens.update(expires_at=timezone.now())


# --- Authlib's server, given the sandbox's records -----------------------------------------


class _Request(OAuth2Request):
    """One request to either endpoint, from whichever transport carried it."""

    def __init__(
        self, method: str, url: str, *, query: Mapping[str, str], form: Mapping[str, str]
    ) -> None:
        # Authlib refuses plain http except on loopback names; the sandbox is served over
        # plain http on purpose (in-process as http://asana-sandbox.local, or on this
        # machine), so Authlib is shown the https form of the address, used for nothing else.
        parts = urlsplit(url)
        super().__init__(method, urlunsplit(("https", parts.netloc or "sandbox", *parts[2:])))
        self._query = dict(query)
        self._form = dict(form)
        self.payload = BasicOAuth2Payload({**self._query, **self._form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _request(
    method: str,
    url: str,
    *,
    query: Mapping[str, str],
    form: Mapping[str, str] | None = None,
) -> _Request:
    return _Request(method, url, query=query, form=form or {})


class _Server(AuthorizationServer):
    def query_client(self, client_id: str) -> SandboxOAuthClient | None:
        return SandboxOAuthClient.objects.filter(client_id=client_id).first()

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        if request.authorization_code is not None:  # the code's exchange: a new grant
            code: SandboxOAuthCode = request.authorization_code
            grant = SandboxOAuthGrant.objects.create(
                client=code.client,
                user=code.user,
                scope=code.scope,
                refresh_token_hash=secret_hash(token["refresh_token"]),
            )
            SandboxOAuthCode.objects.filter(pk=code.pk).update(grant=grant)
        else:  # a refresh: the same grant, a new access token
            grant = request.refresh_token
        SandboxOAuthToken.objects.create(
            access_token_hash=secret_hash(token["access_token"]),
            grant=grant,
            expires_at=timezone.now() + dt.timedelta(seconds=token["expires_in"]),
        )

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> SandboxResponse:
        if isinstance(body, dict):
            return _json(status, body, dict(headers))
        return SandboxResponse(status, (body or "").encode(), dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No listeners in the sandbox."""


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        SandboxOAuthCode.objects.create(
            code_hash=secret_hash(code),
            client=request.client,
            user=request.user,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.payload.scope or "",
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
            expires_at=timezone.now() + dt.timedelta(seconds=CODE_SECONDS),
        )

    def query_authorization_code(
        self, code: str, client: SandboxOAuthClient
    ) -> SandboxOAuthCode | None:
        found = (
            SandboxOAuthCode.objects.select_related("client", "user")
            .filter(code_hash=secret_hash(code), client=client)
            .first()
        )
        if found is None:
            return None
        # Claimed in one UPDATE, so two requests racing with one code cannot both win.
        claimed = SandboxOAuthCode.objects.filter(pk=found.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            # A code presented twice: someone else may hold it, so what it gave is revoked
            # too (RFC 6749, section 4.1.2).
            if found.grant_id is not None:
                SandboxOAuthGrant.objects.filter(pk=found.grant_id).update(
                    revoked_at=timezone.now()
                )
            return None
        if found.expires_at <= timezone.now():
            return None
        return found

    def delete_authorization_code(self, authorization_code: SandboxOAuthCode) -> None:
        """Already spent when it was looked up (`query_authorization_code`)."""

    def authenticate_user(self, authorization_code: SandboxOAuthCode) -> SandboxUser:
        return authorization_code.user


class _RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    # Asana keeps the refresh token: a refresh answers a new access token only.
    INCLUDE_NEW_REFRESH_TOKEN = False

    def authenticate_refresh_token(self, refresh_token: str) -> SandboxOAuthGrant | None:
        grant = (
            SandboxOAuthGrant.objects.select_related("client", "user")
            .filter(refresh_token_hash=secret_hash(refresh_token))
            .first()
        )
        return None if grant is None or grant.is_revoked() else grant

    def authenticate_user(self, refresh_token: SandboxOAuthGrant) -> SandboxUser:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: SandboxOAuthGrant) -> None:
        """Nothing to revoke: the refresh token stays valid (as Asana's does)."""


class _S256Required(CodeChallenge):
    """PKCE is required, with S256: the dashboard always sends it, and the tests should
    notice should it ever stop."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "Missing PKCE: send code_challenge with code_challenge_method=S256.",
                redirect_uri=redirect_uri,
            )
        super().validate_code_challenge(grant, redirect_uri)


class _IssuedToken(dict):
    """A token answer that never shows its tokens: Authlib's server logs what it issues
    (at DEBUG), and in demo mode that log is the dashboard's own."""

    def __repr__(self) -> str:
        hidden = {key: "********" for key in ("access_token", "refresh_token") if key in self}
        return repr({**self, **hidden})


def _bearer_token(
    grant_type: str,
    client: SandboxOAuthClient,
    user: SandboxUser | None = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    assert user is not None, "both grants act for a user"
    token: dict[str, Any] = _IssuedToken(
        {
            "token_type": "bearer",
            "access_token": ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32),
            "expires_in": expires_in or token_seconds(),
            # Asana's token answer names the user, so the app needs no extra request.
            "data": {"id": int(user.gid), "gid": user.gid, "name": user.name, "email": user.email},
        }
    )
    if include_refresh_token:
        token["refresh_token"] = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token


def _server() -> _Server:
    """A server per request: it holds no state, and settings (the token lifetime) may
    change between tests."""
    server = _Server()
    server.register_grant(_AuthorizationCodeGrant, [_S256Required()])
    server.register_grant(_RefreshTokenGrant)
    server.register_token_generator("default", _bearer_token)
    return server


def _json(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None):
    response_headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        **(headers or {}),
    }
    return SandboxResponse(status, json.dumps(payload).encode(), response_headers)
