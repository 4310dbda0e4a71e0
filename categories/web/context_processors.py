"""What every page shows: demo mode, the Asana user, the current workspace, and what the
person may do in it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from categories.access.roles import (
    can_change_categories_in,
    can_manage_roles_in,
    can_review_time_in,
    can_view_dashboard,
)
from categories.asana import AsanaError
from categories.web.identity import confirm_workspace, request_identity

logger = logging.getLogger(__name__)


def dashboard(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "demo_mode": settings.DEMO_MODE,
        "asana_sign_in": settings.ASANA_OAUTH_ENABLED,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    _may(context, user, None)
    if not can_view_dashboard(user):
        return context  # a role-less user sees nothing from Asana, so do not ask it
    try:
        identity = request_identity(request)
        current = confirm_workspace(request, identity)
        context.update(
            asana_user=identity.user, workspaces=identity.workspaces, current_workspace=current
        )
        if current is not None:
            _may(context, user, current.gid)
    except AsanaError as error:
        # The header must not take the page down; the page's own call reports the problem.
        logger.warning("Could not load the Asana identity for the header: %s", error)
    return context


def _may(context: dict[str, Any], user: Any, workspace_gid: str | None) -> None:
    """Which buttons and links to show (the views check again on the server)."""
    context["can_change"] = can_change_categories_in(user, workspace_gid)
    context["can_review"] = can_review_time_in(user, workspace_gid)
    context["can_manage_roles"] = workspace_gid is not None and can_manage_roles_in(
        user, workspace_gid
    )
