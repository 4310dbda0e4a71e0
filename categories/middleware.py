"""Turns an Asana failure that a view did not handle into a readable page or HTMX swap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import retarget

from categories.asana import AsanaError, AsanaNotFound
from categories.errors import Operation, ProblemMessage, describe
from categories.permissions import can_change_categories

# The views whose POST removes something: a 403 there is about the :delete scope.
DELETING_VIEWS = frozenset({"category_delete"})


class AsanaErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AsanaError):
            return None
        return problem_response(request, exception)


def problem_response(
    request: HttpRequest, error: AsanaError, *, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """A page (or, for HTMX, a swap into the #problems region) saying what went wrong.

    `extra` goes to the template: e.g. `gone_gid`, a row to mark as deleted out of band.
    """
    problem = describe_for(request, error)
    context = {
        "problem": problem,
        "back_url": reverse("home") if isinstance(error, AsanaNotFound) else "",
        **(extra or {}),
    }
    if getattr(request, "htmx", False):
        response = render(request, "partials/problem_swap.html", context, status=problem.status)
        response = retarget(response, "#problems")
        response["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, "problem.html", context, status=problem.status)
    if problem.retry_after:
        response["Retry-After"] = str(problem.retry_after)
    # One URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def describe_for(request: HttpRequest, error: AsanaError) -> ProblemMessage:
    """`describe` for this request: the scope its operation needs, words for its reader."""
    return describe(
        error,
        operation=request_operation(request),
        for_admin=can_change_categories(request.user),
    )


def request_operation(request: HttpRequest) -> Operation:
    """What the request asked of Asana, for naming the scope a 403 is about."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in DELETING_VIEWS:
        return "delete"
    return "write"
