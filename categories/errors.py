"""Asana's typed errors in words a person understands: the one mapping boundary."""

from __future__ import annotations

import math
from dataclasses import dataclass

from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
)


@dataclass(frozen=True)
class ProblemMessage:
    title: str
    detail: str
    status: int  # the status our own answer carries (never 500 for an Asana problem)
    retry_after: int | None = None


def describe(error: AsanaError, *, writing: bool = False) -> ProblemMessage:
    """Plain words for an Asana failure. `writing` says whether we asked to change something."""
    if isinstance(error, AsanaRateLimited):
        seconds = max(1, math.ceil(error.retry_after or 30))
        return ProblemMessage(
            "Asana is rate limiting",
            f"Asana is rate limiting requests; try again in {seconds} s.",
            429,
            retry_after=seconds,
        )
    if isinstance(error, AsanaUnavailable):
        said = f" (Asana said: {error.phrase or error.message})" if error.status else ""
        return ProblemMessage(
            "Asana is unavailable",
            f"Asana is unavailable right now{said}. Nothing was lost; try again shortly.",
            503,
        )
    if isinstance(error, AsanaAuthError):
        return ProblemMessage(
            "The Asana token is invalid or expired",
            "The Asana token is invalid or expired. An administrator must set a new "
            "ASANA_ACCESS_TOKEN on the server and restart the dashboard.",
            502,
        )
    if isinstance(error, AsanaForbidden):
        return ProblemMessage("Asana refused access", _forbidden_detail(error, writing), 403)
    if isinstance(error, AsanaNotFound):
        return ProblemMessage(
            "Not found",
            "This category no longer exists in Asana (it may have been deleted).",
            404,
        )
    if isinstance(error, AsanaBadRequest):
        return ProblemMessage("Asana refused the request", error.message, 422)
    return ProblemMessage("Asana error", error.message, 502)


def _forbidden_detail(error: AsanaForbidden, writing: bool) -> str:
    asana_said = f" Asana said: {error.message}" if error.message else ""
    if writing:
        return (
            "Asana refused the change: the token's user must be a workspace admin, and the "
            "token needs the time_tracking_categories:write (or :delete) scope." + asana_said
        )
    return (
        "Asana refused to show time tracking data: the workspace needs Asana's Timesheets & "
        "Budgets add-on, and the token needs the time_tracking_categories:read scope."
        + asana_said
    )
