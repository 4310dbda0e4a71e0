"""Two response rules that keep Asana data and browser state where they belong.

- Every page a signed-in person sees holds Asana data (or the dashboard's audit log): the
  browser must not keep it in its history cache, where the back button after signing out,
  or the next person at a shared computer, would show it again.
- HSTS is never sent for a loopback host: a browser remembers it for months per host name,
  and would then refuse every other local development server on plain http://localhost.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import add_never_cache_headers


def is_loopback_host(request: HttpRequest) -> bool:
    """True when the request was addressed to this machine only (127.0.0.1, localhost, ::1)."""
    try:
        domain, _port = split_domain_port(request.get_host())
    except DisallowedHost:
        return False
    return domain in settings.LOOPBACK_HOSTS


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` (and friends) on every signed-in answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LoopbackWithoutHstsMiddleware:
    """Outermost, so it sees the answer after SecurityMiddleware added its headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Strict-Transport-Security" in response and is_loopback_host(request):
            del response["Strict-Transport-Security"]
        return response
