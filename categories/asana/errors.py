"""Typed errors for every way an Asana call can fail.

The client maps an HTTP answer (or its absence) to exactly one of these, once, in
`error_from_response`. None of them ever carries the access token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class AsanaError(Exception):
    """Base class: `message` is Asana's own words (or ours when Asana said nothing)."""

    message: str
    status: int | None = None
    help: str = ""
    phrase: str = ""
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status else ""
        return f"{prefix}{self.message}"


@dataclass
class AsanaBadRequest(AsanaError):
    """400 (or 402): Asana refused the input. `field` names the input when Asana said which."""

    field: str = ""


@dataclass
class AsanaAuthError(AsanaError):
    """401: the token is missing, invalid, expired or revoked."""


@dataclass
class AsanaForbidden(AsanaError):
    """403: the token's user may not do this, or the token lacks a scope."""


@dataclass
class AsanaNotFound(AsanaError):
    """404: no such object (or not visible to this token)."""


@dataclass
class AsanaRateLimited(AsanaError):
    """429: too many requests; Asana asks to wait `retry_after` seconds."""

    retry_after: float = 0.0


@dataclass
class AsanaUnavailable(AsanaError):
    """5xx, timeout, connection failure or an answer that is not Asana's JSON.

    `request_sent` is True when the request may have reached Asana (so a create may have
    happened even though no answer arrived).
    """

    request_sent: bool = False


@dataclass
class BudgetExhausted(AsanaError):
    """Not Asana's answer but ours: the token's shared budget (requests a minute, concurrent
    reads or writes, across every process) had no slot within the wait allowed, so the
    request was never sent. `retry_after`: seconds until one frees up."""

    retry_after: float = 0.0


@dataclass
class TooManyPages(AsanaError):
    """Not Asana's answer but ours: reading everything asked for would take more than
    `limit` requests (pages of 100), so reading stopped there. The range is too busy to
    show; the caller offers a narrower range or a streamed export instead."""

    limit: int = 0


class PageAllowance:
    """At most `limit` pages, shared by every window of one read (thread-safe)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._spent = 0
        self._lock = threading.Lock()

    def spend(self) -> None:
        """Count one more page about to be asked for; refuse past the limit."""
        if self.limit is None:
            return
        with self._lock:
            self._spent += 1
            if self._spent > self.limit:
                raise TooManyPages(
                    f"Reading this would take more than {self.limit} requests to Asana.",
                    limit=self.limit,
                )


def split_field(message: str) -> tuple[str, str]:
    """Asana prefixes input errors with the field: 'name: Missing input' -> ('name', ...)."""
    head, sep, _tail = message.partition(":")
    if sep and head and all(ch.isalnum() or ch in "_." for ch in head):
        return head, message
    return "", message


def error_from_response(
    status: int, body: object, *, retry_after: float | None = None
) -> AsanaError:
    """Map one failed HTTP answer to its typed error."""
    details = _error_details(body)
    first = details[0] if details else {}
    message = first.get("message") or _default_message(status)
    common = {
        "message": message,
        "status": status,
        "help": first.get("help", ""),
        "phrase": first.get("phrase", ""),
        "errors": [d.get("message", "") for d in details],
    }
    if status in (400, 402):
        return AsanaBadRequest(**common, field=split_field(message)[0])
    if status == 401:
        return AsanaAuthError(**common)
    if status == 403:
        return AsanaForbidden(**common)
    if status == 404:
        return AsanaNotFound(**common)
    if status == 429:
        return AsanaRateLimited(**common, retry_after=retry_after or 0.0)
    return AsanaUnavailable(**common, request_sent=True)


def _error_details(body: object) -> list[dict[str, str]]:
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [e for e in body["errors"] if isinstance(e, dict)]
    return []


def _default_message(status: int) -> str:
    return {
        400: "Asana refused the request as invalid.",
        401: "Asana did not accept the access token.",
        402: "This needs a higher Asana plan.",
        403: "Asana refused access.",
        404: "Asana does not know this object.",
        429: "Asana is rate limiting requests.",
    }.get(status, f"Asana answered with HTTP {status}.")
