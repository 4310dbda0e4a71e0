"""The token's user and workspaces (cached briefly), and the workspace a person is in.

The chosen workspace (gid and name) is remembered in the session, so a page can ask Asana
for its data straight away while the identity (who the token is, which workspaces it
sees) is fetched alongside it, not before it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from categories.access.roles import SESSION_WORKSPACE, can_view_in
from categories.asana import User, Workspace
from categories.web.client import acting_cache_key, asana_client

SESSION_KEY = SESSION_WORKSPACE
IDENTITY_TTL_SECONDS = 300


def token_fingerprint() -> str:
    """Whose Asana this is, for cache keys, never the token itself: the signed-in person
    (the same across their token's refreshes), else the deployment token (a hash)."""
    return acting_cache_key()


@dataclass(frozen=True)
class Identity:
    user: User
    workspaces: tuple[Workspace, ...]


def _identity_key() -> str:
    return f"asana:identity:{token_fingerprint()}"


def cached_identity() -> Identity | None:
    return cache.get(_identity_key())


def asana_identity() -> Identity:
    """Who the token is and what it sees: one request (users/me lists the workspaces),
    asked of Asana at most every few minutes."""
    identity = cached_identity()
    if identity is None:
        user = asana_client().me()
        identity = Identity(user=user, workspaces=user.workspaces)
        cache.set(_identity_key(), identity, IDENTITY_TTL_SECONDS)
    return identity


def request_identity(request: HttpRequest) -> Identity:
    """The identity, from the fetch started when the request came in when there is one;
    its workspaces only those this person may see (a guest sees nothing of a workspace)."""
    pending: Future[Identity] | None = getattr(request, "asana_identity_future", None)
    identity = pending.result() if pending is not None else asana_identity()
    visible = tuple(w for w in identity.workspaces if can_view_in(request.user, w.gid))
    if visible == identity.workspaces:
        return identity
    return Identity(user=identity.user, workspaces=visible)


def current_workspace(request: HttpRequest) -> Workspace | None:
    """The one remembered in this session, else ASANA_WORKSPACE_GID, else the first one."""
    remembered = request.session.get(SESSION_KEY)
    if isinstance(remembered, dict) and remembered.get("gid"):
        return Workspace(gid=remembered["gid"], name=remembered.get("name", ""))
    workspaces = request_identity(request).workspaces
    by_gid = {w.gid: w for w in workspaces}
    chosen = by_gid.get(settings.ASANA_WORKSPACE_GID) or (workspaces[0] if workspaces else None)
    if chosen is not None:
        _remember(request, chosen)
    return chosen


def remember_workspace(request: HttpRequest, gid: str) -> Workspace | None:
    """Remember `gid` for this session if the token can see it."""
    chosen = next((w for w in request_identity(request).workspaces if w.gid == gid), None)
    if chosen is not None:
        _remember(request, chosen)
    return chosen


def confirm_workspace(request: HttpRequest, identity: Identity) -> Workspace | None:
    """The remembered workspace checked against what the token sees now (it may have lost
    access since); falls back to the default when it does not see it any more."""
    remembered = current_workspace(request)
    visible = {w.gid: w for w in identity.workspaces}
    if remembered is not None and remembered.gid in visible:
        return visible[remembered.gid]
    request.session.pop(SESSION_KEY, None)
    return current_workspace(request)


def _remember(request: HttpRequest, workspace: Workspace) -> None:
    request.session[SESSION_KEY] = {"gid": workspace.gid, "name": workspace.name}
