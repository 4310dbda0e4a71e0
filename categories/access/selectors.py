"""Reads about who holds which role (writes are in workspace_roles.py and tokens.py)."""

from __future__ import annotations

from categories.access.models import WorkspaceRole


def workspace_people_list(*, workspace_gid: str) -> list[WorkspaceRole]:
    """People who signed in with Asana and are members of the workspace (guests included,
    so an admin sees why they see nothing), admins first, then by name."""
    roles = WorkspaceRole.objects.filter(workspace_gid=workspace_gid).select_related("user")
    return sorted(
        roles,
        key=lambda role: (not role.is_admin, role.is_guest, _name(role).casefold()),
    )


def workspace_role_get(*, workspace_gid: str, user_id: int) -> WorkspaceRole | None:
    return (
        WorkspaceRole.objects.filter(workspace_gid=workspace_gid, user_id=user_id)
        .select_related("user")
        .first()
    )


def _name(role: WorkspaceRole) -> str:
    return role.user.get_full_name() or role.user.get_username()
