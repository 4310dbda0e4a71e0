"""Health and workspace switching."""

from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from categories.permissions import viewer_required
from categories.workspaces import choose_workspace as remember_workspace


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer. Public: no login, no Asana call."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
@viewer_required
def choose_workspace(request: HttpRequest) -> HttpResponse:
    chosen = remember_workspace(request, request.POST.get("workspace", ""))
    if chosen is None:
        messages.error(request, "That workspace is not available to this Asana token.")
    else:
        messages.success(request, f"Switched to {chosen.name}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "home"
    return redirect(next_url)
