"""The frame's own endpoints: the health and readiness probes, and switching workspace."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from categories.access.decorators import viewer_required
from categories.asana import AsanaError
from categories.web.client import asana_client
from categories.web.identity import remember_workspace, token_fingerprint
from categories.web.problems import describe


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer. Public: no login, no Asana call."""
    if _database_state() != "ok":
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
@viewer_required
def workspace_switch(request: HttpRequest) -> HttpResponse:
    chosen = remember_workspace(request, request.POST.get("workspace", ""))
    if chosen is None:
        messages.error(request, "That workspace is not available to this Asana token.")
    else:
        messages.success(request, f"Switched to {chosen.name}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "home"
    return redirect(next_url)


READINESS_TTL_SECONDS = 5


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, the state every process shares (Redis, or var/
    without it) answers, and Asana accepts the token. Cached a few seconds, so a load
    balancer polling it does not spend the token's rate budget."""
    shared = _shared_state()
    if shared != "ok":
        # Without it there is no budget to ask Asana with and no cache to keep the answer.
        report = {"database": _database_state(), "shared": shared, "asana": "not checked"}
    else:
        key = f"readyz:{token_fingerprint()}"
        report = cache.get(key)
        if report is None:
            report = {"database": _database_state(), "shared": "ok", "asana": _asana_state()}
            cache.set(key, report, READINESS_TTL_SECONDS)
    ready = all(report[part] == "ok" for part in ("database", "shared", "asana"))
    return JsonResponse(
        {"status": "ready" if ready else "not ready", **report}, status=200 if ready else 503
    )


def _shared_state() -> str:
    try:
        caches["shared"].get("readyz:probe")
    except Exception:  # Redis down or unreachable, var/ unreadable: "not ready"
        return "unavailable"
    return "ok"


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready"
        return "unavailable"
    return "ok"


def _asana_state() -> str:
    try:
        asana_client().me()
    except AsanaError as error:
        return describe(error).title
    return "ok"
