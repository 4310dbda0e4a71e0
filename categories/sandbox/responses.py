"""What the sandbox answers: JSON bodies in Asana's envelopes, and its error shape."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
ERROR_HELP = (
    "For more information on API status codes and how to handle them, "
    "read the docs on errors: https://developers.asana.com/docs/errors"
)
# Asana's own wording for statuses the sandbox only produces through fault injection.
DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "Not Authorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "You have made too many requests recently. Please, be chill.",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_PHRASE_WORDS = (
    ("sad", "happy", "sleepy", "brave", "tiny", "gentle"),
    ("squid", "otters", "pandas", "herons", "koalas", "lemurs"),
    ("snuggle", "wander", "giggle", "juggle", "whistle", "tumble"),
    ("softly", "quickly", "bravely", "loudly", "calmly", "boldly"),
)


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class ApiError(Exception):
    """Raised anywhere in a handler; becomes Asana's error envelope with this status."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_response(payload: Any, *, status: int = 200, pretty: bool = False) -> SandboxResponse:
    # Names are user text: keep them as real UTF-8, not \u escapes, like Asana does.
    text = json.dumps(payload, ensure_ascii=False, indent=2 if pretty else None)
    return SandboxResponse(status, text.encode(), {"Content-Type": JSON_CONTENT_TYPE})


def error_response(
    status: int, message: str | None = None, *, headers: dict[str, str] | None = None
) -> SandboxResponse:
    error = {"message": message or DEFAULT_MESSAGES.get(status, "Error"), "help": ERROR_HELP}
    if status >= 500:
        # Asana adds a memorable phrase to server errors, for support to find the logs.
        error["phrase"] = error_phrase()
    response = json_response({"errors": [error]}, status=status)
    response.headers.update(headers or {})
    return response


def error_phrase() -> str:
    words = [random.choice(group) for group in _PHRASE_WORDS]
    return f"{random.randint(2, 30)} {' '.join(words)}"
