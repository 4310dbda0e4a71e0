"""Who may do what. Every view names one of these decorators; the server always checks.

Two roles, as Django groups (created by a data migration):
- "Category admins": view everything; create, update, archive, unarchive, delete.
- "Time reviewers": view categories and entries; change nothing.
Superusers may do everything. Anyone else who signs in sees only "ask for a role".

Signing in is required everywhere (SignInRequiredMiddleware) except the login page, the
admin's own login, the /healthz and /readyz probes and static files (served by WhiteNoise
before any view).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect, retarget

from categories.errors import ProblemMessage

security_log = logging.getLogger("categories.security")

CATEGORY_ADMINS = "Category admins"
TIME_REVIEWERS = "Time reviewers"
ROLES = (CATEGORY_ADMINS, TIME_REVIEWERS)

# URL names anyone may open without signing in (the login views mark themselves): the
# probes a load balancer polls. They answer only "ok" or a problem's title, never data.
PUBLIC_URL_NAMES = frozenset({"healthz", "readyz"})

Capability = Literal["view", "change"]
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


def role_names(user: Any) -> list[str]:
    """The dashboard roles a user holds, for telling them what they may do."""
    if not user.is_authenticated:
        return []
    return [role for role in ROLES if role in _group_names(user)]


# --- answers when someone may not do something --------------------------------------------


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.headers.get("HX-Request") == "true"


def sign_in_response(request: HttpRequest) -> HttpResponse:
    """Send an anonymous visitor to the login page and back here afterwards.

    An HTMX request gets an HX-Redirect (the whole page goes to the login page) instead of
    a redirect that htmx would follow and swap, login form and all, into a fragment.
    """
    login_url = resolve_url(settings.LOGIN_URL)
    if is_htmx(request):
        # The page the person is on, not the fragment's URL (None if it is another origin).
        back_to = getattr(getattr(request, "htmx", None), "current_url_abs_path", None) or "/"
        response = HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': back_to})}")
    else:
        response = redirect_to_login(request.get_full_path(), login_url)
    patch_vary_headers(response, ("HX-Request",))
    return response


def forbidden_response(
    request: HttpRequest, problem: ProblemMessage, *, template: str = "403.html"
) -> HttpResponse:
    """A 403 page, or for HTMX a short message swapped into the page's #problems region."""
    # Blank what the header would show about Asana: a person without a role sees nothing else.
    context = {
        "problem": problem,
        "roles": role_names(request.user),
        "asana_user": None,
        "workspaces": [],
        "current_workspace": None,
        "can_change": False,
    }
    if is_htmx(request):
        response = render(request, "partials/problem.html", context, status=403)
        response = retarget(response, "#problems")
        response["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, template, context, status=403)
    # One URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


NO_ROLE = ProblemMessage(
    "Ask for a role",
    f'You are signed in, but an administrator must give you the "{CATEGORY_ADMINS}" or '
    f'"{TIME_REVIEWERS}" role (a group in the Django admin) before you can use the dashboard.',
    403,
)
READ_ONLY = ProblemMessage(
    "You can view, not change",
    f'Changing categories needs the "{CATEGORY_ADMINS}" role. Nothing was changed.',
    403,
)


def denied(request: HttpRequest) -> HttpResponse:
    """The 403 that fits who is asking: no role at all, or a role that cannot change."""
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
        return forbidden_response(request, NO_ROLE, template="no_role.html")
    return forbidden_response(request, READ_ONLY)


# --- the decorators -----------------------------------------------------------------------


def _requiring(capability: Capability, check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # The middleware already sends anonymous visitors away; checked again so that a
            # view is never open because of a settings mistake.
            if not request.user.is_authenticated:
                return sign_in_response(request)
            if not check(request.user):
                return denied(request)
            return view(request, *args, **kwargs)

        # Lets tests (and people) find every view's requirement from the URL resolver;
        # functools.wraps in outer decorators (require_POST, ...) copies it outwards.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


# Read-only screens: categories list, entries, reports.
viewer_required = _requiring("view", can_view_dashboard)
# Every write (and the audit log).
category_admin_required = _requiring("change", can_change_categories)


def required_capability(view: Any) -> Capability | None:
    """What a URL's view requires ("view" / "change"), or None when it names no decorator."""
    found = getattr(view, "required_capability", None)
    view_class = getattr(view, "view_class", None)
    if found is None and view_class is not None:
        # Class-based views decorated with method_decorator(..., name="dispatch").
        found = getattr(view_class.dispatch, "required_capability", None)
    return found


# --- middleware and authentication backend ------------------------------------------------


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, plus the public health check and HTMX awareness."""

    def process_view(
        self, request: HttpRequest, view_func: View, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.view_name in PUBLIC_URL_NAMES:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request: HttpRequest, view_func: View) -> HttpResponse:
        return sign_in_response(request)


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come from an HTTP request.

    Every sign-in over HTTP (our login page, the admin's) passes the request, so every one
    is throttled. Only in-process callers pass none (the test client's `login()`, a shell);
    there is no client to throttle there, so those go on to the next backend instead of
    failing with axes' "request required" error.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
