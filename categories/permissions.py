"""Who may do what. Every view names one of these decorators; the server always checks.

Two roles, as Django groups (created by a data migration):
- "Category admins": view everything; create, update, archive, unarchive, delete.
- "Time reviewers": view categories and entries; change nothing.
Superusers may do everything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

CATEGORY_ADMINS = "Category admins"
TIME_REVIEWERS = "Time reviewers"

View = Callable[..., HttpResponse]


def _group_names(user: Any) -> set[str]:
    # Cached on the user object: a page asks several times (views, templates, menus).
    if not hasattr(user, "_dashboard_groups"):
        user._dashboard_groups = set(user.groups.values_list("name", flat=True))
    return user._dashboard_groups


def can_change_categories(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or CATEGORY_ADMINS in _group_names(user)


def can_view_dashboard(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return can_change_categories(user) or TIME_REVIEWERS in _group_names(user)


def _requiring(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Read-only screens: categories list, entries, reports.
viewer_required = _requiring(can_view_dashboard)
# Every write (and the audit log).
category_admin_required = _requiring(can_change_categories)
