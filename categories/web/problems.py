"""Asana's typed errors in words a person understands: the one mapping boundary.

Every failure gets a title, a sentence saying what happened and what to do, and the HTTP
status our own answer carries: 429 (rate limited, with Retry-After), 503 (unavailable),
502 (Asana refused the dashboard's token), 403, 404 and 422 (input refused). Never 500:
a problem on Asana's side is not a bug in the dashboard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from django.http import HttpRequest

from categories.access.roles import can_change_categories
from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
    BudgetExhausted,
    TooManyPages,
)

# What the dashboard was doing: decides which scope a 403 is missing.
Operation = Literal["read", "write", "delete"]
SCOPES: dict[Operation, str] = {
    "read": "time_tracking_categories:read",
    "write": "time_tracking_categories:write",
    "delete": "time_tracking_categories:delete",
}


# The views whose POST removes something: a 403 there is about the :delete scope.
DELETING_VIEWS = frozenset({"category_delete"})


class SettledUnavailable(AsanaUnavailable):
    """An unanswered write that the dashboard looked into afterwards (see
    categories.services: a create whose answer was lost). Each kind says in its class
    attributes what the look-up found, as a title and a sentence."""

    title: ClassVar[str]
    detail: ClassVar[str]


@dataclass(frozen=True)
class ProblemMessage:
    title: str
    detail: str
    status: int  # the status our own answer carries (never 500 for an Asana problem)
    retry_after: int | None = None


def describe(
    error: AsanaError, *, operation: Operation = "read", for_admin: bool = True
) -> ProblemMessage:
    """Plain words for an Asana failure.

    `operation` says what we asked Asana to do, so a 403 can name the missing scope.
    `for_admin` says whether the reader can fix the token (a Category admin or
    superuser) or has to ask someone who can.
    """
    if isinstance(error, BudgetExhausted):
        seconds = max(1, math.ceil(error.retry_after or 1))
        return ProblemMessage(
            "Asana's rate limit is reached",
            f"Asana's rate limit for this token is reached: everyone using this dashboard "
            f"shares it. Try again in {seconds} s.",
            503,
            retry_after=seconds,
        )
    if isinstance(error, TooManyPages):
        return ProblemMessage(
            "Too many entries to show at once",
            f"This range holds more than {error.limit * 100:,} entries: showing them would "
            f"take more than {error.limit} requests to Asana, which every user of this "
            "token shares. Choose a narrower range, or download the CSV or Excel file, "
            "which streams any number of entries.",
            422,
        )
    if isinstance(error, AsanaRateLimited):
        return _rate_limited(error)
    if isinstance(error, SettledUnavailable):
        return ProblemMessage(error.title, error.detail, 503)
    if isinstance(error, AsanaUnavailable):
        return _unavailable(error, operation)
    if isinstance(error, AsanaAuthError):
        return _bad_token(for_admin)
    if isinstance(error, AsanaForbidden):
        return ProblemMessage("Asana refused access", _forbidden_detail(error, operation), 403)
    if isinstance(error, AsanaNotFound):
        return ProblemMessage(
            "This category no longer exists",
            "This category no longer exists in Asana: someone may have deleted it.",
            404,
        )
    if isinstance(error, AsanaBadRequest):
        return ProblemMessage("Asana refused the request", error.message, 422)
    return ProblemMessage("Asana error", error.message, 502)


def _rate_limited(error: AsanaRateLimited) -> ProblemMessage:
    seconds = max(1, math.ceil(error.retry_after or 30))
    return ProblemMessage(
        "Asana is rate limiting",
        f"Asana is rate limiting requests; try again in {seconds} s.",
        429,
        retry_after=seconds,
    )


def _unavailable(error: AsanaUnavailable, operation: Operation) -> ProblemMessage:
    detail = f"Asana is unavailable right now ({_reason(error)}). Try again in a minute."
    if operation != "read" and not error.request_sent:
        detail += " The request never reached Asana, so nothing was changed."
    return ProblemMessage("Asana is unavailable", detail, 503)


def _reason(error: AsanaUnavailable) -> str:
    """Asana's own words and error phrase (its 5xx answers carry one, which its support
    uses to find the incident) when it sent them, else what the client observed."""
    parts = []
    asana_said = next((text for text in error.errors if text), "")
    if asana_said:
        parts.append(f"Asana said “{asana_said}”")
    if error.phrase:
        parts.append(f"error phrase “{error.phrase}”")
    return ", ".join(parts) or error.message.rstrip(".")


def _bad_token(for_admin: bool) -> ProblemMessage:
    if for_admin:
        how = (
            "To fix it, create a new personal access token in Asana (My settings → Apps → "
            "Developer apps), set it as ASANA_ACCESS_TOKEN on the server and restart the "
            "dashboard; `python manage.py asana_check` then confirms it works."
        )
    else:
        how = "Ask an administrator of the dashboard to renew it."
    return ProblemMessage(
        "The Asana token is invalid or expired",
        f"The Asana token is invalid or expired. {how}",
        502,
    )


def _forbidden_detail(error: AsanaForbidden, operation: Operation) -> str:
    asana_said = f" Asana said: {error.message}" if error.message else ""
    scope = SCOPES[operation]
    if operation == "read":
        return (
            f"Asana refused to show time tracking data: the token lacks the {scope} scope, "
            "or the workspace does not have Asana's Timesheets & Budgets add-on." + asana_said
        )
    return (
        f"Asana refused the change: the token lacks the {scope} scope, or its user must be "
        "a workspace admin and is not." + asana_said
    )


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
