"""Starts fetching the Asana identity as a request comes in, alongside the page's own data.

The header needs the token's user and workspaces; asking for them only when the template
renders would add a whole round trip to every page with a cold cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from categories.connection import asana_executor
from categories.permissions import can_view_dashboard
from categories.workspaces import asana_identity, cached_identity


class IdentityPrefetchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        executor = asana_executor()
        wanted = executor is not None and can_view_dashboard(request.user)
        if wanted and cached_identity() is None:
            request.asana_identity_future = executor.submit(asana_identity)  # type: ignore[attr-defined]
        return self.get_response(request)
