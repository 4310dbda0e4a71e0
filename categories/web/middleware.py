"""The frame's two middlewares: the Asana identity fetched as a request comes in, and an
Asana failure no view handled turned into a readable page or HTMX swap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from categories.access.roles import can_view_dashboard
from categories.asana import AsanaError, AsanaNotFound
from categories.web.budget import acting_for
from categories.web.htmx import problem_swap
from categories.web.identity import asana_identity, cached_identity
from categories.web.pool import asana_executor
from categories.web.problems import describe_for


class BudgetShareMiddleware:
    """Marks the Asana requests a page sends as this person's, so the token's shared
    budget can keep any one person from starving everyone else (categories.web.budget)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = f"user:{request.user.pk}" if request.user.is_authenticated else ""
        with acting_for(person):
            return self.get_response(request)


class IdentityPrefetchMiddleware:
    """Starts fetching the Asana identity as a request comes in, alongside the page's own
    data. The header needs the token's user and workspaces; asking for them only when the
    template renders would add a whole round trip to every page with a cold cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        executor = asana_executor()
        wanted = executor is not None and can_view_dashboard(request.user)
        if wanted and cached_identity() is None:
            request.asana_identity_future = executor.submit(asana_identity)  # type: ignore[attr-defined]
        return self.get_response(request)


class AsanaErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AsanaError):
            return None
        return asana_problem(request, exception)


def asana_problem(
    request: HttpRequest,
    error: AsanaError,
    *,
    context: dict[str, Any] | None = None,
    oob: Sequence[str] = (),
) -> HttpResponse:
    """`problem_swap` for an Asana failure, in words for this request and its reader.

    `context` and `oob` go to the fragment: e.g. `gone_gid` and the template that marks
    that row as deleted out of band.
    """
    back_url = reverse("home") if isinstance(error, AsanaNotFound) else ""
    return problem_swap(
        request,
        describe_for(request, error),
        context={"back_url": back_url, **(context or {})},
        oob=oob,
    )
