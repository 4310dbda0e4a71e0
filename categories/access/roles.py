"""The two roles and what each may do, as Django groups (created by a data migration):
- "Category admins": view everything; create, update, archive, unarchive, delete.
- "Time reviewers": view categories and entries; change nothing.
Superusers may do everything. Anyone else who signs in sees only "ask for a role".
"""

from __future__ import annotations

from typing import Any, Literal

CATEGORY_ADMINS = "Category admins"
TIME_REVIEWERS = "Time reviewers"
ROLES = (CATEGORY_ADMINS, TIME_REVIEWERS)

Capability = Literal["view", "change"]


def _group_names(user: Any) -> set[str]:
    # Cached on the user object: a page asks several times (views, templates, menus).
    if not hasattr(user, "_dashboard_groups"):
        user._dashboard_groups = set(user.groups.values_list("name", flat=True))
    return user._dashboard_groups


def can_change_categories(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or CATEGORY_ADMINS in _group_names(user)


def can_change_categories_in(user: Any, workspace_gid: str) -> bool:
    """Whether `user` may change the categories of that workspace. Roles are global today;
    per-workspace roles (signing in with Asana) decide it here, and only here."""
    return can_change_categories(user)


def can_view_dashboard(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return can_change_categories(user) or TIME_REVIEWERS in _group_names(user)


def role_names(user: Any) -> list[str]:
    """The dashboard roles a user holds, for telling them what they may do."""
    if not user.is_authenticated:
        return []
    return [role for role in ROLES if role in _group_names(user)]
