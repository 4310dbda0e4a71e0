"""Login throttling with django-axes: its authentication backend, and the page a
locked-out sign-in gets (AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed sign-ins from here for that name."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"cooloff_minutes": seconds // 60, "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "access/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
