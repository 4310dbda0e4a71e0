"""The frame's middlewares: whose budget and whose Asana a request acts with, the Asana
identity fetched as a request comes in, and an Asana failure no view handled turned into
a readable page or HTMX swap."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from categories.access.decorators import sign_in_response
from categories.access.roles import SIGNED_IN_WITH_ASANA, can_view_dashboard
from categories.asana import AsanaError, AsanaNotFound
from categories.web.budget import acting_for
from categories.web.client import acting_as
from categories.web.htmx import problem_swap
from categories.web.identity import asana_identity, cached_identity
from categories.web.people import SignInEnded, person_asana, roles_due, workspace_roles_refresh
from categories.web.pool import asana_executor
from categories.web.problems import describe_for

logger = logging.getLogger(__name__)


class BudgetShareMiddleware:
    """Marks the Asana requests a page sends as this person's, so the token's shared
    budget can keep any one person from starving everyone else (categories.web.budget)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = f"user:{request.user.pk}" if request.user.is_authenticated else ""
        with acting_for(person):
            return self.get_response(request)


class ActingPersonMiddleware:
    """A person signed in with Asana acts as themselves for the whole request (their own
    client, cache and budget: categories.web.people), their roles are asked of Asana again
    when due, and a sign-in Asana no longer accepts signs them out with a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or not request.session.get(SIGNED_IN_WITH_ASANA):
            return self.get_response(request)
        try:
            person = person_asana(request.user)
            if person is not None and roles_due(person):
                with acting_as(person):
                    workspace_roles_refresh(user=request.user, client=person.client())
        except SignInEnded:
            person = None
        except AsanaError as error:
            # Asana is down: the roles it gave an hour ago stand until it answers again.
            logger.warning("Could not ask Asana for the roles again: %s", error)
        if person is None or person.ended:
            return sign_out_ended(request)
        with acting_as(person):
            response = self.get_response(request)
        return sign_out_ended(request) if person.ended else response


def sign_out_ended(request: HttpRequest) -> HttpResponse:
    """Sign out a person whose sign-in Asana no longer accepts, saying so (never a 500)."""
    logout(request)
    messages.warning(request, SIGN_IN_ENDED)
    return sign_in_response(request)


SIGN_IN_ENDED = (
    "Your sign-in with Asana has ended: the dashboard's access was revoked in Asana, or it "
    "expired. Sign in with Asana again."
)


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
