"""How a view decides between a whole page and an HTMX fragment, in one place."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


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


def remove_target(response: HttpResponse) -> HttpResponse:
    """Delete the request's target element (out-of-band parts of the body still swap).

    static/js/app.js then moves focus to the neighbouring row, so keyboard users keep
    their place in the table instead of landing at the top of the page.
    """
    response["HX-Reswap"] = "delete"
    response["HX-Trigger-After-Settle"] = json.dumps({"dashboard:row-removed": True})
    return response
