"""The one HTMX helper module: is this an HTMX request, a fragment or a page, and the
answers that tell htmx what to do (django-htmx's `reswap`, `retarget`,
`trigger_client_event`; no HX-* header is written by hand anywhere else).

A fragment answer renders `web/_swap.html`: the target's new content (a partial, named
`_name.html` beside its screen's template) followed by the out-of-band parts the view
names, so no screen needs a wrapper template per kind of answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from categories.web.problems import ProblemMessage

SWAP_TEMPLATE = "web/_swap.html"
# The page region (aria-live) that every problem shown without a page goes into.
PROBLEMS_REGION = "#problems"


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def wants_fragment(request: HttpRequest, target: str | None = None) -> bool:
    """True for an HTMX request that will swap a fragment (into `target`, when given).

    A history-restore request (back button after a cache miss) needs the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def render_varying(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render, telling caches that the answer depends on the HTMX headers.

    One URL answers with a page or with a fragment, so a browser or proxy cache must not
    hand a fragment to a normal page load (or the other way round).
    """
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def render_swap(
    request: HttpRequest,
    partial: str | None,
    context: dict[str, Any],
    *,
    oob: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    """A fragment: `partial` for the target (None: nothing, e.g. a deleted row), then
    each template in `oob`, which swaps itself elsewhere (hx-swap-oob)."""
    swap = {**context, "partial": partial, "oob_parts": oob}
    return render_varying(request, SWAP_TEMPLATE, swap, status=status)


def render_screen(
    request: HttpRequest,
    page: str,
    context: dict[str, Any],
    *,
    target: str,
    partial: str,
    oob: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    """A screen: its whole `page`, or for HTMX aimed at its `target` region only the
    region's `partial` (and the `oob` parts, e.g. the status line's new words)."""
    if wants_fragment(request, target):
        return render_swap(request, partial, context, oob=oob, status=status)
    return render_varying(request, page, context, status=status)


def remove_target(response: HttpResponse) -> HttpResponse:
    """Delete the request's target element (out-of-band parts of the body still swap).

    static/js/app.js then moves focus to the neighbouring row, so keyboard users keep
    their place in the table instead of landing at the top of the page.
    """
    response = reswap(response, "delete")
    return trigger_client_event(response, "dashboard:row-removed", after="settle")


def problem_swap(
    request: HttpRequest,
    problem: ProblemMessage,
    *,
    template: str = "web/problem.html",
    context: dict[str, Any] | None = None,
    oob: Sequence[str] = (),
) -> HttpResponse:
    """A page saying what went wrong (`template`), or for HTMX the message swapped into
    the page's #problems region (plus the `oob` parts). The status is the problem's;
    a rate limit carries Retry-After."""
    context = {"problem": problem, **(context or {})}
    if is_htmx(request):
        response = render_swap(request, "web/_problem.html", context, oob=oob)
        response.status_code = problem.status
        response = reswap(retarget(response, PROBLEMS_REGION), "innerHTML")
    else:
        response = render(request, template, context, status=problem.status)
    if problem.retry_after:
        response["Retry-After"] = str(problem.retry_after)
    # One URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
