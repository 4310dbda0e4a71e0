"""Who may do what. Every view names one of these decorators; the server always checks.

Signing in is required everywhere (see categories.access.middleware); these decorators
check again and add the role, in the page's workspace: `viewer_required` for the
categories, `time_reviewer_required` for the time logged (entries, reports, exports),
`category_admin_required` for every change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from categories.access.roles import (
    CATEGORY_ADMINS,
    SESSION_WORKSPACE,
    TIME_REVIEWERS,
    Capability,
    can_change_categories_in,
    can_review_time_in,
    can_view_dashboard,
    can_view_in,
    is_asana_person,
    role_names,
)
from categories.web.htmx import is_htmx, problem_swap
from categories.web.problems import ProblemMessage

security_log = logging.getLogger("categories.security")

View = Callable[..., HttpResponse]


def sign_in_response(request: HttpRequest) -> HttpResponse:
    """Send an anonymous visitor to the login page and back here afterwards.

    An HTMX request gets an HX-Redirect (the whole page goes to the login page) instead of
    a redirect that htmx would follow and swap, login form and all, into a fragment.
    """
    login_url = resolve_url(settings.LOGIN_URL)
    if is_htmx(request):
        # The page the person is on, not the fragment's URL (None if it is another origin).
        back_to = request.htmx.current_url_abs_path or "/"  # type: ignore[attr-defined]
        response = HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': back_to})}")
    else:
        response = redirect_to_login(request.get_full_path(), login_url)
    patch_vary_headers(response, ("HX-Request",))
    return response


def forbidden(
    request: HttpRequest, problem: ProblemMessage, *, template: str = "access/forbidden.html"
) -> HttpResponse:
    """A 403 page, or for HTMX a short message swapped into the page's #problems region."""
    # Blank what the header would show about Asana: a person without a role sees nothing else.
    context = {
        "roles": role_names(request.user),
        "asana_person": is_asana_person(request.user),
        "asana_user": None,
        "workspaces": [],
        "current_workspace": None,
        "can_change": False,
    }
    return problem_swap(request, problem, template=template, context=context)


NO_ROLE = ProblemMessage(
    "Ask for a role",
    f'You are signed in, but an administrator must give you the "{CATEGORY_ADMINS}" or '
    f'"{TIME_REVIEWERS}" role (a group in the Django admin) before you can use the dashboard.',
    403,
)
READ_ONLY = ProblemMessage(
    "You can view, not change",
    f'Changing categories needs the "{CATEGORY_ADMINS}" role (signed in with Asana: being '
    "an admin of this workspace in Asana). Nothing was changed.",
    403,
)
NO_WORKSPACE = ProblemMessage(
    "Nothing to show you",
    "You signed in with Asana, but your Asana account is a member of no workspace this "
    "dashboard can show you (a guest sees nothing). Ask an admin of your workspace in "
    "Asana to make you a member.",
    403,
)
NO_REVIEW = ProblemMessage(
    "You can see the categories, not the time",
    "Reviewing the time logged in this workspace needs the manager role, which an admin "
    "of this workspace grants on the People page.",
    403,
)
NOT_IN_WORKSPACE = ProblemMessage(
    "Not in this workspace",
    "Your Asana account gives you no access to this workspace (a guest sees nothing). "
    "Choose another workspace.",
    403,
)


def denied(request: HttpRequest, capability: Capability = "change") -> HttpResponse:
    """The 403 that fits who is asking: no role at all, or a role that cannot do this."""
    # Not a category change (nothing reached Asana), so not in the audit log: the server's
    # log is where someone trying doors they may not open shows up.
    security_log.warning(
        "Refused %s %s to %r (roles: %s)",
        request.method,
        request.path,
        request.user.get_username(),
        ", ".join(role_names(request.user)) or "none",
    )
    if not can_view_dashboard(request.user):
        if is_asana_person(request.user):
            return forbidden(request, NO_WORKSPACE, template="access/no_role.html")
        return forbidden(request, NO_ROLE, template="access/no_role.html")
    if capability == "review":
        return forbidden(request, NO_REVIEW)
    if capability == "view":
        return forbidden(request, NOT_IN_WORKSPACE)
    return forbidden(request, READ_ONLY)


# --- the decorators -----------------------------------------------------------------------

Check = Callable[[Any, str | None], bool]


def current_workspace_gid(request: HttpRequest) -> str | None:
    """The workspace the page is about: the one remembered in the session, when the person
    may see it; else none yet (the frame chooses one they may see). Roles are checked in it."""
    remembered = request.session.get(SESSION_WORKSPACE)
    gid = remembered.get("gid") if isinstance(remembered, dict) else None
    if gid and not can_view_in(request.user, gid):
        # Lost access since (Asana said so at the last check): choose again.
        request.session.pop(SESSION_WORKSPACE, None)
        return None
    return gid or None


def _requiring(capability: Capability, check: Check) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # The middleware already sends anonymous visitors away; checked again so that a
            # view is never open because of a settings mistake.
            if not request.user.is_authenticated:
                return sign_in_response(request)
            if not check(request.user, current_workspace_gid(request)):
                return denied(request, capability)
            return view(request, *args, **kwargs)

        # Lets tests (and people) find every view's requirement from the URL resolver;
        # functools.wraps in outer decorators (require_POST, ...) copies it outwards.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


# Screens showing a workspace's categories.
viewer_required = _requiring("view", can_view_in)
# Screens showing the time logged: entries, reports, exports.
time_reviewer_required = _requiring("review", can_review_time_in)
# Every write (and the audit log).
category_admin_required = _requiring("change", can_change_categories_in)


def required_capability(view: Any) -> Capability | None:
    """What a URL's view requires ("view" / "review" / "change"), or None when it names no
    decorator."""
    found = getattr(view, "required_capability", None)
    view_class = getattr(view, "view_class", None)
    if found is None and view_class is not None:
        # Class-based views decorated with method_decorator(..., name="dispatch").
        found = getattr(view_class.dispatch, "required_capability", None)
    return found
