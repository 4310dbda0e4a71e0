"""People's Asana tokens at rest: encrypted with TOKEN_ENCRYPTION_KEYS (cryptography's
MultiFernet: the first key encrypts, every key decrypts), stored on their `AsanaGrant`.

Rotation: put a new key first in TOKEN_ENCRYPTION_KEYS, run `manage.py rotate_token_keys`
(every grant is encrypted again with the new key), then remove the old key. A grant that
no configured key opens (a key removed too early) counts as signed out: the person signs
in with Asana again, nothing fails.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from categories.access.models import AsanaGrant


class UnreadableGrant(Exception):
    """No configured key decrypts the stored tokens."""


# The tokens this process has held lately (issued to it, or decrypted by it): what error
# reports must not show (categories.web.error_reports). A person's token passes through
# frames no code of ours can mark (Authlib's request body, requests' headers), so the
# report's filter hides any variable that holds one of these.
KEPT_IN_MIND = 1024
_in_use: OrderedDict[str, None] = OrderedDict()
_in_use_lock = threading.Lock()


def _in_play(*tokens: str | None) -> None:
    with _in_use_lock:
        for token in tokens:
            if token:
                _in_use[token] = None
                _in_use.move_to_end(token)
        while len(_in_use) > KEPT_IN_MIND:
            _in_use.popitem(last=False)


def tokens_in_use() -> list[str]:
    """People's tokens this process has held lately, for hiding them from error reports."""
    with _in_use_lock:
        return list(_in_use)


@dataclass(frozen=True)
class IssuedTokens:
    """What Asana's token endpoint answered (the refresh token only on sign-in)."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None

    @property
    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(seconds=self.expires_in)

    def __post_init__(self) -> None:
        _in_play(self.access_token, self.refresh_token)

    def __repr__(self) -> str:
        # Never show a token, not in a log line nor in an error report's locals.
        return f"IssuedTokens(expires_in={self.expires_in})"


def _keys() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.TOKEN_ENCRYPTION_KEYS])


def encrypt_token(token: str) -> str:
    return _keys().encrypt(token.encode()).decode()


def decrypt_token(ciphertext: str) -> str:
    try:
        token = _keys().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError):
        raise UnreadableGrant from None
    _in_play(token)
    return token


def access_token_of(grant: AsanaGrant) -> str:
    return decrypt_token(grant.access_token_encrypted)


def refresh_token_of(grant: AsanaGrant) -> str:
    return decrypt_token(grant.refresh_token_encrypted)


def grant_store_sign_in(
    *, user: object, asana_user_gid: str, name: str, email: str, tokens: IssuedTokens
) -> AsanaGrant:
    """Keep a new sign-in's tokens (replacing an earlier sign-in's)."""
    if not tokens.refresh_token:
        raise ValueError("A sign-in with Asana answers a refresh token.")
    now = timezone.now()
    grant, _ = AsanaGrant.objects.update_or_create(
        user=user,
        defaults={
            "asana_user_gid": asana_user_gid,
            "name": name,
            "email": email,
            "access_token_encrypted": encrypt_token(tokens.access_token),
            "refresh_token_encrypted": encrypt_token(tokens.refresh_token),
            "access_expires_at": tokens.expires_at,
            "signed_in_at": now,
            "refreshed_at": None,
        },
    )
    return grant


def grant_store_refresh(*, grant: AsanaGrant, tokens: IssuedTokens) -> None:
    """Keep a refreshed access token (and a new refresh token, should Asana send one)."""
    grant.access_token_encrypted = encrypt_token(tokens.access_token)
    grant.access_expires_at = tokens.expires_at
    grant.refreshed_at = timezone.now()
    fields = ["access_token_encrypted", "access_expires_at", "refreshed_at"]
    if tokens.refresh_token:
        grant.refresh_token_encrypted = encrypt_token(tokens.refresh_token)
        fields.append("refresh_token_encrypted")
    grant.save(update_fields=fields)


def grant_forget(sender: object = None, *, user: object = None, **_: object) -> None:
    """Delete the stored tokens of `user` (a `user_logged_out` receiver)."""
    if getattr(user, "pk", None) is not None:
        AsanaGrant.objects.filter(user_id=user.pk).delete()  # type: ignore[attr-defined]


def rotate_token_keys() -> tuple[int, int]:
    """Encrypt every grant again with the first key. Returns (rotated, unreadable): an
    unreadable grant (no key opens it) is deleted, so its person signs in again."""
    keys = _keys()
    rotated = unreadable = 0
    with transaction.atomic():
        for grant in AsanaGrant.objects.select_for_update():
            try:
                grant.access_token_encrypted = keys.rotate(
                    grant.access_token_encrypted.encode()
                ).decode()
                grant.refresh_token_encrypted = keys.rotate(
                    grant.refresh_token_encrypted.encode()
                ).decode()
            except InvalidToken:
                grant.delete()
                unreadable += 1
                continue
            grant.save(update_fields=["access_token_encrypted", "refresh_token_encrypted"])
            rotated += 1
    return rotated, unreadable
