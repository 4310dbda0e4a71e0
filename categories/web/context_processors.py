"""What every page shows: demo mode, the Asana user and the current workspace."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from categories.access.roles import can_change_categories, can_view_dashboard
from categories.asana import AsanaError
from categories.web.identity import confirm_workspace, request_identity

logger = logging.getLogger(__name__)


def dashboard(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context["can_change"] = can_change_categories(user)
    if not can_view_dashboard(user):
        return context  # a role-less user sees nothing from Asana, so do not ask it
    try:
        identity = request_identity(request)
        context.update(
            asana_user=identity.user,
            workspaces=identity.workspaces,
            current_workspace=confirm_workspace(request, identity),
        )
    except AsanaError as error:
        # The header must not take the page down; the page's own call reports the problem.
        logger.warning("Could not load the Asana identity for the header: %s", error)
    return context
