"""The roles of people signed in with Asana, one per workspace: what Asana says (admin,
guest or member: recorded here) and what an admin of the workspace granted in the
dashboard (manager). Reads are in `categories.access.roles`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from categories.access.models import AsanaGrant, WorkspaceRole


@dataclass(frozen=True)
class Membership:
    """The person in one workspace, as Asana answered."""

    workspace_gid: str
    workspace_name: str
    is_admin: bool
    is_guest: bool


def workspace_roles_record(*, user: object, memberships: list[Membership]) -> None:
    """Record Asana's answer: roles in workspaces Asana no longer lists are dropped (and
    a manager grant with them: a person who leaves a workspace keeps nothing there)."""
    now = timezone.now()
    with transaction.atomic():
        existing = {r.workspace_gid: r for r in WorkspaceRole.objects.filter(user=user)}
        for membership in memberships:
            role = existing.pop(membership.workspace_gid, None) or WorkspaceRole(
                user=user, workspace_gid=membership.workspace_gid
            )
            role.workspace_name = membership.workspace_name
            role.is_admin = membership.is_admin and not membership.is_guest
            role.is_guest = membership.is_guest
            role.checked_at = now
            role.save()
        WorkspaceRole.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        AsanaGrant.objects.filter(user=user).update(roles_checked_at=now)
    # A person's roles are cached on the user object for one request (roles.py).
    if hasattr(user, "_workspace_roles"):
        del user._workspace_roles


class NotAnAdmin(Exception):
    """Only an admin of the workspace may grant its manager role."""


def workspace_manager_set(
    *, granted_by: object, workspace_gid: str, user_id: int, is_manager: bool
) -> WorkspaceRole:
    """Grant or withdraw the manager role (reviewing time) of one person in one workspace."""
    from categories.access.roles import can_manage_roles_in

    if not can_manage_roles_in(granted_by, workspace_gid):
        raise NotAnAdmin
    role = WorkspaceRole.objects.get(user_id=user_id, workspace_gid=workspace_gid)
    role.is_manager = is_manager
    role.manager_granted_by = granted_by if is_manager else None
    role.save(update_fields=["is_manager", "manager_granted_by"])
    return role
