"""Signing in is required everywhere except the login page, the admin's own login, the
/healthz and /readyz probes and static files (served by WhiteNoise before any view)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse

from categories.access.decorators import View, sign_in_response

# URL names anyone may open without signing in (the login views mark themselves): the
# probes a load balancer polls. They answer only "ok" or a problem's title, never data.
PUBLIC_URL_NAMES = frozenset({"healthz", "readyz"})


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
