"""A `requests` transport adapter that answers from the sandbox instead of the network.

Mount it on a session and the real Asana client runs unchanged against the sandbox:

    session.mount("http://asana-sandbox.local/", SandboxAdapter())
    AsanaClient(base_url=SANDBOX_BASE_URL, token="any", session=session)
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from .models import SandboxFault
from .responses import SandboxResponse
from .transport import NoAnswer, process

SANDBOX_BASE_URL = "http://asana-sandbox.local/api/1.0"


class SandboxAdapter(BaseAdapter):
    """Thread-safe: it holds no state; each call uses its thread's database connection."""

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        outcome = process(
            method=request.method or "GET",
            url=request.url or "",
            headers=request.headers,
            body=_body_bytes(request.body),
        )
        if isinstance(outcome, NoAnswer):
            _fail_without_answer(request, outcome, _read_timeout(timeout))
        assert isinstance(outcome, SandboxResponse)
        return self._build_response(request, outcome)

    def close(self) -> None:
        """Nothing to release: there are no connections."""

    def _build_response(
        self, request: requests.PreparedRequest, answer: SandboxResponse
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response.headers["Content-Length"] = str(len(answer.body))
        response._content = answer.body
        # Marks the body as already read, so iter_content() and .content serve it as is.
        response._content_consumed = True
        response.raw = io.BytesIO(answer.body)
        response.encoding = "utf-8"
        response.reason = _reason(answer.status)
        response.url = request.url or ""
        response.request = request
        response.connection = self
        return response


def _fail_without_answer(
    request: requests.PreparedRequest, outcome: NoAnswer, read_timeout: float | None
) -> None:
    if outcome.kind == SandboxFault.Kind.CONNECTION_REFUSED:
        # Never sent: the same exception chain a refused TCP connect produces.
        reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
        raise requests.exceptions.ConnectionError(reason, request=request)
    # Sent, but the answer never came: the client waits its read timeout (or the fault's
    # latency, if shorter) and gives up.
    waits = [s for s in (outcome.latency_ms / 1000, read_timeout) if s is not None]
    time.sleep(min(waits))
    raise requests.exceptions.ReadTimeout(
        f"Read timed out (sandbox fault) for {request.url}", request=request
    )


def _read_timeout(timeout: Any) -> float | None:
    """requests passes a number, a (connect, read) tuple, or None."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    try:
        return None if timeout is None else float(timeout)
    except (TypeError, ValueError):  # e.g. a urllib3 Timeout object: treat as "no limit"
        return None


def _body_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else bytes(body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
