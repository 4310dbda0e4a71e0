"""Asana's OAuth scopes in the sandbox: the one each operation needs, and what a token lacks.

A personal access token has every scope, and so has every sandbox token, except a token
that names what it lacks: `<anything>+without:<scope>`, repeatable. With the token
`demo+without:time_tracking_entries:read`, for example, the workspace-wide entries listing
(and reading one entry) answers 403 as Asana answers a token without that scope, while the
per-category listings still work: the dashboard's fallback. For a token that cannot be
chosen (demo mode's), `api.deny_scope` makes the same 403 a fault.
"""

from __future__ import annotations

CATEGORIES_READ = "time_tracking_categories:read"
CATEGORIES_WRITE = "time_tracking_categories:write"
CATEGORIES_DELETE = "time_tracking_categories:delete"
ENTRIES_READ = "time_tracking_entries:read"
ENTRIES_WRITE = "time_tracking_entries:write"
USERS_READ = "users:read"
WORKSPACES_READ = "workspaces:read"

_WITHOUT = "without:"


def lacked_scopes(token: str) -> frozenset[str]:
    """The scopes a sandbox token lacks (none, for nearly every token)."""
    if _WITHOUT not in token:
        return frozenset()
    parts = token.split("+")
    return frozenset(part[len(_WITHOUT) :] for part in parts[1:] if part.startswith(_WITHOUT))


def missing_scope_message(scope: str) -> str:
    return f"Forbidden: this request needs the {scope} scope, which the token was not granted."
