"""Turns an Asana failure that a view did not handle into a readable page or HTMX swap."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import retarget

from categories.asana import AsanaError, AsanaNotFound
from categories.errors import describe


class AsanaErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AsanaError):
            return None
        return problem_response(request, exception)


def problem_response(request: HttpRequest, error: AsanaError) -> HttpResponse:
    """A page (or, for HTMX, a swap into the #problems region) saying what went wrong."""
    problem = describe(error, writing=request.method == "POST")
    context = {
        "problem": problem,
        "back_url": reverse("home") if isinstance(error, AsanaNotFound) else "",
    }
    if getattr(request, "htmx", False):
        response = render(request, "partials/problem.html", context, status=problem.status)
        response = retarget(response, "#problems")
        response["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, "problem.html", context, status=problem.status)
    if problem.retry_after:
        response["Retry-After"] = str(problem.retry_after)
    return response
