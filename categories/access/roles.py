"""The roles and what each may do.

Local accounts (the deployment token, demo accounts) hold roles as Django groups (created
by a data migration), the same in every workspace:
- "Category admins": view everything; create, update, archive, unarchive, delete.
- "Time reviewers": view categories and review time (entries, reports); change nothing.
Superusers may do everything. Anyone else who signs in sees only "ask for a role".

People signed in with Asana hold a role per workspace, from Asana and the dashboard
(`categories.access.workspace_roles` records them):
- a workspace admin in Asana (`is_admin`) is a category admin there;
- a manager (granted in the dashboard by an admin of that workspace) reviews time there;
- any other member views the workspace's categories;
- a guest sees nothing of that workspace.

Checks take the workspace (`*_in(user, workspace_gid)`); `None` means "in any workspace"
(for what is not about one workspace, such as whether to show the dashboard at all).
"""

from __future__ import annotations

from typing import Any, Literal

from categories.access.models import AsanaGrant, WorkspaceRole

CATEGORY_ADMINS = "Category admins"
TIME_REVIEWERS = "Time reviewers"
ROLES = (CATEGORY_ADMINS, TIME_REVIEWERS)
# Where the frame remembers the person's current workspace in the session
# (categories.web.identity): the workspace a page's roles are checked in.
SESSION_WORKSPACE = "workspace"
# Set in the session of a person who signed in with Asana (categories.access.asana_sign_in):
# a sign-in Asana no longer accepts signs that session out (categories.web.middleware).
SIGNED_IN_WITH_ASANA = "signed_in_with_asana"

Capability = Literal["view", "review", "change"]


def _group_names(user: Any) -> set[str]:
    # Cached on the user object: a page asks several times (views, templates, menus).
    if not hasattr(user, "_dashboard_groups"):
        user._dashboard_groups = set(user.groups.values_list("name", flat=True))
    return user._dashboard_groups


def _asana_roles(user: Any) -> dict[str, WorkspaceRole] | None:
    """A person signed in with Asana: their roles by workspace gid; None for a local
    account (its groups apply). Cached on the user object for the request."""
    if not hasattr(user, "_workspace_roles"):
        signed_in_with_asana = AsanaGrant.objects.filter(user_id=user.pk).exists()
        user._workspace_roles = (
            {role.workspace_gid: role for role in WorkspaceRole.objects.filter(user_id=user.pk)}
            if signed_in_with_asana
            else None
        )
    return user._workspace_roles


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_asana_person(user: Any) -> bool:
    """Signed in with Asana (roles per workspace), not a local account."""
    return _active(user) and _asana_roles(user) is not None


def _roles_in(user: Any, workspace_gid: str | None) -> list[WorkspaceRole]:
    """The person's non-guest roles in that workspace (or in any, for None)."""
    roles = _asana_roles(user) or {}
    chosen = roles.values() if workspace_gid is None else [roles.get(workspace_gid)]
    return [role for role in chosen if role is not None and not role.is_guest]


# --- local accounts: the same in every workspace ----------------------------------------------


def can_change_categories(user: Any) -> bool:
    """Category admin somewhere (a local admin everywhere, an Asana admin in a workspace)."""
    return can_change_categories_in(user, None)


def can_view_dashboard(user: Any) -> bool:
    """Anything to see: a local role, or a workspace the person is more than a guest in."""
    return can_view_in(user, None)


# --- per workspace ---------------------------------------------------------------------------


def can_view_in(user: Any, workspace_gid: str | None) -> bool:
    """May see that workspace's categories."""
    if not _active(user):
        return False
    if _asana_roles(user) is not None:
        return bool(_roles_in(user, workspace_gid))
    return can_change_categories_in(user, workspace_gid) or TIME_REVIEWERS in _group_names(user)


def can_review_time_in(user: Any, workspace_gid: str | None) -> bool:
    """May see the time logged in that workspace (entries, reports, exports)."""
    if not _active(user):
        return False
    if _asana_roles(user) is not None:
        return any(role.is_admin or role.is_manager for role in _roles_in(user, workspace_gid))
    return can_view_in(user, workspace_gid)


def can_change_categories_in(user: Any, workspace_gid: str | None) -> bool:
    """May create, change and delete the categories of that workspace."""
    if not _active(user):
        return False
    if _asana_roles(user) is not None:
        return any(role.is_admin for role in _roles_in(user, workspace_gid))
    return user.is_superuser or CATEGORY_ADMINS in _group_names(user)


def can_manage_roles_in(user: Any, workspace_gid: str) -> bool:
    """May grant the manager role of that workspace: its admins, as Asana says (a local
    account holds no role in Asana's workspaces to hand out)."""
    return is_asana_person(user) and can_change_categories_in(user, workspace_gid)


def role_names(user: Any) -> list[str]:
    """The dashboard roles a user holds, for telling them what they may do."""
    if not user.is_authenticated:
        return []
    roles = _asana_roles(user)
    if roles is not None:
        return [f"{role.label} in {role.workspace_name}" for role in roles.values()]
    return [role for role in ROLES if role in _group_names(user)]
