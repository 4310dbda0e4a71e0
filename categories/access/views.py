"""Signing in, the people page (the manager role per workspace), and the pages that
refuse: a 403 raised anywhere and a failed CSRF check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from categories.access.decorators import (
    category_admin_required,
    current_workspace_gid,
    denied,
    forbidden,
)
from categories.access.demo_accounts import shown_demo_accounts
from categories.access.forms import ManagerRoleForm
from categories.access.roles import can_manage_roles_in
from categories.access.selectors import workspace_people_list, workspace_role_get
from categories.access.workspace_roles import workspace_manager_set
from categories.web.privacy import is_loopback_host
from categories.web.problems import ProblemMessage

# --- signing in ---------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Django's login view; in demo mode, on this machine, it also lists the demo accounts."""

    template_name = "access/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Printed passwords are for the person at this machine, never for a visitor from
        # elsewhere, even where someone turned demo mode on for a shared host.
        local = is_loopback_host(self.request)
        context["demo_accounts"] = shown_demo_accounts() if local else []
        context["asana_sign_in"] = settings.ASANA_OAUTH_ENABLED
        return context


# --- refusals -----------------------------------------------------------------------------


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: a PermissionDenied raised anywhere, in the app's own words and layout."""
    problem = ProblemMessage("Not allowed", "You may not open this page or make this change.", 403)
    return forbidden(request, problem)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a POST without a valid token changes nothing."""
    problem = ProblemMessage(
        "The form had expired",
        "Nothing was changed: the page was open too long or you signed in elsewhere. "
        "Reload the page and try again.",
        403,
    )
    return forbidden(request, problem)


# --- people and their roles (signing in with Asana) ----------------------------------------

PERSON_GONE = "This person is no longer a member of this workspace in Asana."
NOT_FOR_MANAGER = "Only a member who is neither an admin nor a guest can be made a manager."


@require_http_methods(["GET", "POST"])
@category_admin_required
def people_page(request: HttpRequest) -> HttpResponse:
    """The people who signed in with Asana in this workspace; its admins (as Asana says)
    grant or withdraw the manager role (reviewing time) here, one person at a time. Local
    category admins see the list."""
    workspace_gid = current_workspace_gid(request)
    if workspace_gid is None:
        raise Http404("No Asana workspace is chosen.")
    if request.method == "POST" and not can_manage_roles_in(request.user, workspace_gid):
        return denied(request, "change")
    form = ManagerRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role = workspace_role_get(workspace_gid=workspace_gid, user_id=form.cleaned_data["person"])
        if role is None:
            form.add_error(None, PERSON_GONE)
        elif role.is_admin or role.is_guest:
            form.add_error(None, NOT_FOR_MANAGER)
        else:
            workspace_manager_set(
                granted_by=request.user,
                workspace_gid=workspace_gid,
                user_id=role.user_id,
                is_manager=form.cleaned_data["is_manager"],
            )
            granted = (
                "is now a manager" if form.cleaned_data["is_manager"] else "is no longer a manager"
            )
            messages.success(request, f"{role.user.get_full_name() or role.user} {granted}.")
            return redirect("people")
    context = {
        "people": workspace_people_list(workspace_gid=workspace_gid),
        "form": form,
    }
    return render(request, "access/people.html", context, status=422 if form.errors else 200)
