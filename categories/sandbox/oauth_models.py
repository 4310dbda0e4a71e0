"""The sandbox's OAuth 2.0 records: registered apps, authorization codes, grants and access
tokens. Secrets are kept only as SHA-256 hashes (`secret_hash`): the database never holds
a code or token that would be accepted, as a real authorization server keeps it."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from categories.sandbox.models import SandboxUser


def secret_hash(secret: str) -> str:
    """What is stored of a token, code or client secret (they are random, so a fast hash is
    enough: nobody can guess one from its hash)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class SandboxOAuthClient(models.Model):
    """An app registered with the sandbox, as in Asana's developer console."""

    client_id = models.CharField(max_length=100, unique=True)
    client_secret_hash = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    # One URL per line; a loopback URL matches any port (RFC 8252, section 7.3).
    redirect_uris = models.TextField()

    def __str__(self) -> str:
        return self.name

    # --- authlib's ClientMixin -----------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri_list()[0] if self.redirect_uri_list() else ""

    def get_allowed_scope(self, scope: str) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        from categories.sandbox.oauth import redirect_uri_matches

        return any(redirect_uri_matches(redirect_uri, known) for known in self.redirect_uri_list())

    def check_client_secret(self, client_secret: str) -> bool:
        return constant_time_compare(secret_hash(client_secret), self.client_secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")

    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]


class SandboxOAuthGrant(models.Model):
    """One person's approval of one app: its refresh token, until it is revoked."""

    client = models.ForeignKey(SandboxOAuthClient, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="oauth_grants")
    scope = models.TextField(blank=True)
    refresh_token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} for {self.client}"

    # --- authlib's TokenMixin (the refresh token's side) --------------------------------

    def check_client(self, client: Any) -> bool:
        return client.pk == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 0  # a refresh token lasts until it is revoked

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_user(self) -> SandboxUser:
        return self.user

    def get_client(self) -> SandboxOAuthClient:
        return self.client


class SandboxOAuthCode(models.Model):
    """An authorization code: single use, valid for a few minutes, bound to its app, its
    redirect URI and its PKCE challenge."""

    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(SandboxOAuthClient, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.TextField()
    scope = models.TextField(blank=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The grant its exchange created: revoked should anyone present the code again.
    grant = models.ForeignKey(
        SandboxOAuthGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"code for {self.user}"

    # --- authlib's AuthorizationCodeMixin ------------------------------------------------

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


class SandboxOAuthToken(models.Model):
    """An access token: it answers the API as its grant's user until it expires or its
    grant is revoked."""

    access_token_hash = models.CharField(max_length=64, unique=True)
    grant = models.ForeignKey(
        SandboxOAuthGrant, on_delete=models.CASCADE, related_name="access_tokens"
    )
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access token of {self.grant}"
