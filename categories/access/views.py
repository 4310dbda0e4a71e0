"""Signing in, and the pages that refuse: a 403 raised anywhere and a failed CSRF check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from categories.access.decorators import forbidden
from categories.access.demo_accounts import shown_demo_accounts
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
