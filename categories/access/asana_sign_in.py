"""Signing in with Asana (OAuth 2.0, authorization code with PKCE and state, through
Authlib's Django client: see categories.web.oauth).

The button posts to `asana_sign_in_start`, which sends the browser to Asana's approval
page; Asana sends it back to `asana_sign_in_callback` with a code, which is exchanged for
the person's tokens (the answer names the Asana user). The person gets a dashboard
account of their own (`asana-<gid>`, no password), their tokens are stored encrypted, and
their roles are asked of Asana before they land on the dashboard.

This is where access meets the Asana client (the code's exchange, the roles), hence the
one exception in the import contracts (pyproject.toml).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from categories.access.models import WorkspaceRole
from categories.access.roles import SESSION_WORKSPACE, SIGNED_IN_WITH_ASANA, can_view_in
from categories.access.tokens import grant_store_sign_in
from categories.access.views import SignInView
from categories.asana import AsanaError
from categories.web.client import acting_as
from categories.web.oauth import asana_oauth, issued_tokens, register_demo_app
from categories.web.people import person_asana, workspace_roles_refresh

logger = logging.getLogger("categories.access")

NEXT_KEY = "asana_sign_in_next"
USERNAME_PREFIX = "asana-"

STARTED_ELSEWHERE = (
    "The sign-in with Asana could not be completed: it was not started from this browser, "
    "or it was already used or took too long. Sign in with Asana again."
)
DENIED = "You did not allow the dashboard to use your Asana account, so you are not signed in."
UNREACHABLE = "Asana could not be reached to complete the sign-in. Try again in a minute."
REFUSED = (
    "Asana did not complete the sign-in ({code}). Try again; should it go on, ask your "
    "Asana admin whether the dashboard's app may be used in your workspace."
)
# The error codes of OAuth 2.0's authorization answer (RFC 6749 4.1.2.1): the only words
# from the query string worth repeating; anything else is shown as "unknown error".
KNOWN_ERRORS = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
    }
)


@login_not_required
@never_cache
@require_POST
def asana_sign_in_start(request: HttpRequest) -> HttpResponse:
    """To Asana's approval page; state and the PKCE verifier wait in the session."""
    _require_enabled()
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        request.session[NEXT_KEY] = next_url
    callback = request.build_absolute_uri(reverse("asana_sign_in_callback"))
    register_demo_app(callback)
    return asana_oauth().authorize_redirect(request, callback)


@login_not_required
@never_cache
@require_GET
def asana_sign_in_callback(request: HttpRequest) -> HttpResponse:
    """Back from Asana: check the state, exchange the code, sign the person in."""
    _require_enabled()
    if request.GET.get("error"):
        # Asana's own words are not shown: only its error code is trusted, and it is logged.
        logger.info("Asana sign-in refused: %s", request.GET.get("error")[:100])
        return _refused(request, _refusal(request.GET["error"]))
    try:
        token = asana_oauth().authorize_access_token(request)
    except MismatchingStateError:
        return _refused(request, STARTED_ELSEWHERE)
    except OAuthError as error:
        logger.info("Asana refused the code's exchange: %s", error.error)
        return _refused(request, STARTED_ELSEWHERE)
    except (requests.RequestException, ValueError) as error:
        logger.warning("Asana's token endpoint failed: %s", type(error).__name__)
        return _refused(request, UNREACHABLE, status=503)
    # At once: from here on an error report hides these tokens (categories.web.error_reports).
    tokens = issued_tokens(token)
    person = token.get("data") or {}
    if not person.get("gid") or not tokens.refresh_token:
        logger.warning("Asana's token answer named no user or carried no refresh token")
        return _refused(request, UNREACHABLE, status=502)
    user = _dashboard_account(person)
    grant_store_sign_in(
        user=user,
        asana_user_gid=str(person["gid"]),
        name=person.get("name") or "",
        email=person.get("email") or "",
        tokens=tokens,
    )
    try:
        with acting_as(person_asana(user)):
            from categories.web.client import asana_client

            workspace_roles_refresh(user=user, client=asana_client())
    except AsanaError as error:
        logger.warning("Could not ask Asana for the roles at sign-in: %s", error)
        return _refused(request, UNREACHABLE, status=503)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_WITH_ASANA] = True
    _choose_workspace(request, user)
    messages.success(request, f"Signed in with Asana as {person.get('name') or user}.")
    return redirect(next_url or "home")


def _refusal(error: str) -> str:
    if error == "access_denied":
        return DENIED
    if error in ("server_error", "temporarily_unavailable"):
        return UNREACHABLE
    return REFUSED.format(code=error if error in KNOWN_ERRORS else "unknown error")


def _require_enabled() -> None:
    if not settings.ASANA_OAUTH_ENABLED:
        raise Http404("Signing in with Asana is not set up.")


def _refused(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """The login page again, with why, and nobody signed in."""
    messages.error(request, message)
    if request.user.is_authenticated:
        # Already signed in (the Back button to a spent answer): the login page would send
        # them on with a redirect, which a 4xx status would turn into a blank page.
        return redirect("home")
    response = SignInView.as_view()(request)
    response.status_code = status
    return response


def _dashboard_account(person: dict[str, Any]) -> Any:
    """The person's own account: found by their Asana user, made at the first sign-in.
    Never an existing local account with the same e-mail: that would hand it over."""
    user, _ = get_user_model().objects.get_or_create(
        username=f"{USERNAME_PREFIX}{person['gid']}"[:150]
    )
    user.first_name = (person.get("name") or "")[:150]
    user.email = (person.get("email") or "")[:254]
    user.is_active = True
    user.set_unusable_password()  # only Asana signs this account in
    user.save()
    return user


def _choose_workspace(request: HttpRequest, user: Any) -> None:
    """Start in ASANA_WORKSPACE_GID when the person may see it, else their first one."""
    roles = WorkspaceRole.objects.filter(user=user)
    roles = [role for role in roles if can_view_in(user, role.workspace_gid)]
    preferred = [r for r in roles if r.workspace_gid == settings.ASANA_WORKSPACE_GID]
    chosen = (preferred or roles or [None])[0]
    if chosen is not None:
        request.session[SESSION_WORKSPACE] = {
            "gid": chosen.workspace_gid,
            "name": chosen.workspace_name,
        }
