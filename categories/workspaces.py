"""The token's user and workspaces (cached briefly), and the workspace a person is in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from categories import services
from categories.asana import User, Workspace

SESSION_KEY = "workspace_gid"
IDENTITY_TTL_SECONDS = 300


def token_fingerprint() -> str:
    """Identifies the token in cache keys without ever storing the token itself."""
    token = settings.ASANA_ACCESS_TOKEN or "demo"
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Identity:
    user: User
    workspaces: list[Workspace]


def asana_identity() -> Identity:
    """Who the token is and what it sees: asked of Asana at most every few minutes."""
    key = f"asana:identity:{token_fingerprint()}"
    identity = cache.get(key)
    if identity is None:
        identity = Identity(user=services.current_user(), workspaces=services.list_workspaces())
        cache.set(key, identity, IDENTITY_TTL_SECONDS)
    return identity


def forget_identity() -> None:
    cache.delete(f"asana:identity:{token_fingerprint()}")


def current_workspace(request: HttpRequest) -> Workspace | None:
    """The one chosen in this session, else ASANA_WORKSPACE_GID, else the first one."""
    workspaces = asana_identity().workspaces
    by_gid = {w.gid: w for w in workspaces}
    for gid in (request.session.get(SESSION_KEY), settings.ASANA_WORKSPACE_GID):
        if gid and gid in by_gid:
            return by_gid[gid]
    return workspaces[0] if workspaces else None


def choose_workspace(request: HttpRequest, gid: str) -> Workspace | None:
    """Remember `gid` for this session if the token can see it."""
    chosen = next((w for w in asana_identity().workspaces if w.gid == gid), None)
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.gid
    return chosen
