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


def move_focus(response: HttpResponse, selector: str) -> HttpResponse:
    """Ask static/js/app.js to focus `selector` once the swap has settled."""
    response["HX-Trigger-After-Settle"] = json.dumps({"dashboard:focus": {"selector": selector}})
    return response


def remove_target(response: HttpResponse) -> HttpResponse:
    """Delete the request's target element (out-of-band parts of the body still swap)."""
    response["HX-Reswap"] = "delete"
    return response
