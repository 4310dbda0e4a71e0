"""Each person signed in with Asana acts in Asana as themselves.

`person_asana(user)` is that person's Asana: their own client (their token, their budget,
keyed by their Asana user and not by the token, so it outlives refreshes), with the access
token refreshed before it expires and, should Asana answer 401 anyway, once on the spot.
The frame's middleware acts as the signed-in person for every request
(`categories.web.client.acting_as`); background work started by a person does the same:

    from categories.web.client import acting_as, asana_client
    from categories.web.people import person_asana

    with acting_as(person_asana(job.started_by)):
        asana_client().update_time_entry(...)   # as that person, refreshed as needed

When Asana no longer accepts the person's grant (revoked in Asana, or expired), the grant
is deleted: calls raise `SignInEnded` (an AsanaAuthError) and the next page they open
signs them out with a message; `person_asana` answers None for them from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from categories.access.models import AsanaGrant
from categories.access.tokens import (
    UnreadableGrant,
    access_token_of,
    grant_store_refresh,
    refresh_token_of,
)
from categories.access.workspace_roles import Membership, workspace_roles_record
from categories.asana import AsanaAuthError, AsanaClient, AsanaUnavailable
from categories.web.client import build_client, person_budget_key
from categories.web.oauth import GrantRefused, refreshed_tokens

logger = logging.getLogger("categories.access")

# An access token with less than this left is refreshed before it is used.
REFRESH_MARGIN = dt.timedelta(minutes=2)


class SignInEnded(AsanaAuthError):
    """Asana no longer accepts this person's sign-in (revoked, expired or unreadable)."""


def person_cache_key(asana_user_gid: str) -> str:
    """Names a person's cached Asana answers: stable across token refreshes, never a token."""
    return "person-" + hashlib.sha256(asana_user_gid.encode()).hexdigest()[:16]


class PersonAsana:
    """One sign-in's Asana, shared by the requests and jobs of this process that act for
    it (thread-safe). Its tokens are checked against the database at each `sync`."""

    def __init__(self, grant: AsanaGrant) -> None:
        self.user_id = grant.user_id
        self.asana_user_gid = grant.asana_user_gid
        self.cache_key = person_cache_key(grant.asana_user_gid)
        self.ended = False
        self.roles_checked_at: dt.datetime | None = grant.roles_checked_at
        self._signed_in_at = grant.signed_in_at
        self._lock = threading.RLock()
        self._ciphertext = ""
        self._token = ""
        self._expires_at = grant.access_expires_at
        self._client: AsanaClient | None = None
        self.sync(grant)

    def __repr__(self) -> str:
        return f"PersonAsana(user_id={self.user_id})"  # never the token

    def sync(self, grant: AsanaGrant) -> None:
        """Take the stored token when another process refreshed it meanwhile."""
        with self._lock:
            self.roles_checked_at = grant.roles_checked_at
            if grant.access_token_encrypted == self._ciphertext:
                return
            self._use(self._opened(grant, access_token_of), grant)

    def client(self) -> AsanaClient:
        """The person's client, with an access token good for a while yet."""
        with self._lock:
            if self.ended:
                raise SignInEnded("Asana no longer accepts this sign-in.", status=401)
            if self._expires_at - timezone.now() < REFRESH_MARGIN:
                self._refresh(failed_token=None)
            if self._client is None:
                self._client = build_client(
                    token=self._token,
                    budget_key=person_budget_key(self.asana_user_gid),
                    one_persons=True,
                    token_renewer=self._renew,
                )
            return self._client

    def access_token(self) -> str:
        """A fresh access token, for code that calls Asana without the client."""
        self.client()
        with self._lock:
            return self._token

    # --- refreshing ------------------------------------------------------------------------

    def _renew(self) -> str | None:
        """The client's token renewer: Asana answered 401 to `failed`."""
        with self._lock:
            failed = self._token
            try:
                self._refresh(failed_token=failed)
            except (SignInEnded, AsanaUnavailable):
                return None
            return self._token if self._token != failed else None

    def _refresh(self, *, failed_token: str | None) -> None:
        """Refresh, unless another request or process did (the grant's row is locked)."""
        try:
            self._refresh_locked(failed_token=failed_token)
        except SignInEnded:
            # Leaving the transaction by the exception undid the grant's deletion: the
            # sign-in Asana refuses is forgotten now, so nothing acts with it again.
            AsanaGrant.objects.filter(
                user_id=self.user_id, signed_in_at=self._signed_in_at
            ).delete()
            raise

    def _refresh_locked(self, *, failed_token: str | None) -> None:
        with transaction.atomic():
            grant = (
                AsanaGrant.objects.select_for_update()
                .filter(user_id=self.user_id, signed_in_at=self._signed_in_at)
                .first()
            )
            if grant is None:  # signed out, or signed in anew elsewhere
                self._end(None)
                raise SignInEnded("This sign-in with Asana has ended.", status=401)
            stored = self._opened(grant, access_token_of)
            fresh_enough = grant.access_expires_at - timezone.now() >= REFRESH_MARGIN
            if stored != failed_token and fresh_enough:
                self._use(stored, grant)  # someone refreshed since
                return
            try:
                tokens = refreshed_tokens(self._opened(grant, refresh_token_of))
            except GrantRefused:
                logger.info("Asana refused the grant of user %s: signing them out", self.user_id)
                self._end(grant)
                raise SignInEnded("Asana no longer accepts this sign-in.", status=401) from None
            grant_store_refresh(grant=grant, tokens=tokens)
            self._use(tokens.access_token, grant)

    def _opened(self, grant: AsanaGrant, read: Callable[[AsanaGrant], str]) -> str:
        """A token of the grant, decrypted; a grant no key opens ends the sign-in."""
        try:
            return read(grant)
        except UnreadableGrant:
            self._end(grant)
            raise SignInEnded("No key opens this sign-in's tokens.", status=401) from None

    def _use(self, token: str, grant: AsanaGrant) -> None:
        self._token, self._ciphertext = token, grant.access_token_encrypted
        self._expires_at = grant.access_expires_at
        if self._client is not None:
            self._client.use_token(token)

    def _end(self, grant: AsanaGrant | None) -> None:
        self.ended = True
        if grant is not None:
            grant.delete()


@lru_cache(maxsize=256)
def _person(user_id: int, signed_in_at: dt.datetime) -> _Holder:
    return _Holder()


class _Holder:
    """The process's PersonAsana for one sign-in (made at its first use)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.person: PersonAsana | None = None


def person_asana(user: object) -> PersonAsana | None:
    """The Asana of a person signed in with Asana (None for other accounts, and for a
    sign-in Asana no longer accepts). One query: it also catches up with refreshes other
    processes made."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    grant = AsanaGrant.objects.filter(user_id=user_id).first()
    if grant is None:
        return None
    holder = _person(user_id, grant.signed_in_at)
    with holder.lock:
        if holder.person is None or holder.person.ended:
            holder.person = PersonAsana(grant)
            return holder.person
    holder.person.sync(grant)
    return holder.person


def forget_people() -> None:
    """Drop the process's people (tests; they are rebuilt from the database)."""
    _person.cache_clear()


# --- roles from Asana -------------------------------------------------------------------------


def roles_due(person: PersonAsana) -> bool:
    """Whether the person's workspace roles are to be asked of Asana again."""
    if person.roles_checked_at is None:
        return True
    age = timezone.now() - person.roles_checked_at
    return age.total_seconds() >= settings.ASANA_ROLES_RECHECK_SECONDS


def workspace_roles_refresh(*, user: object, client: AsanaClient) -> None:
    """Ask Asana for the person's workspace memberships and record the roles they give."""
    memberships = [
        Membership(
            workspace_gid=m.workspace.gid,
            workspace_name=m.workspace.name,
            is_admin=m.is_admin,
            is_guest=m.is_guest,
        )
        for m in client.workspace_memberships()
        if m.workspace.gid
    ]
    workspace_roles_record(user=user, memberships=memberships)
