"""The sandbox's one browser page in demo mode: approving a sign-in with the sandbox.

In demo mode the sandbox has no address a browser can reach (the dashboard talks to it
in-process), so the dashboard serves Asana's approval page itself, at the path Asana uses
(`/-/oauth_authorize`, included by config/urls.py in demo mode only). The code exchange
goes through the dashboard's Asana client transport, as any request to the sandbox does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .oauth_page import TEMPLATE, Redirect, approval


@login_not_required
@require_http_methods(["GET", "POST"])
def oauth_authorize_page(request: HttpRequest) -> HttpResponse:
    outcome = approval(request.method or "GET", request.GET.dict(), request.POST.dict())
    if isinstance(outcome, Redirect):
        return redirect(outcome.location)
    context = {**outcome.context, "with_styles": True}
    return render(request, TEMPLATE, context, status=outcome.status)
