"""What both transports (the requests adapter and the HTTP server) do around `api.handle`:
added latency and injected faults. Only how "no answer" looks differs per transport."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .api import api_path, handle
from .faults import global_latency_ms, next_fault
from .limits import usage_table
from .models import SandboxFault
from .responses import SandboxResponse, error_response

MALFORMED_BODY = b"<html>oops</html>"
Kind = SandboxFault.Kind


@dataclass(frozen=True)
class NoAnswer:
    """The request gets no answer: the transport makes it a timeout or a refused connection."""

    kind: str  # Kind.TIMEOUT or Kind.CONNECTION_REFUSED
    latency_ms: int  # the fault's own delay, which each transport interprets


Outcome = SandboxResponse | NoAnswer


def process(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    latency_ms: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Answer one request, or say it gets none. `latency_ms` overrides SANDBOX_LATENCY_MS.

    Asana's per-token limits come first (limits.py): a request past an enforced one is
    refused at once, like Asana's rate limiter in front of everything else."""
    usage = usage_table()
    ticket = usage.enter(_authorization(headers), method)
    if ticket.refused:
        return rate_limited(ticket.retry_after)
    try:
        return _process(method, url, headers, body, latency_ms, sleep)
    finally:
        usage.leave(ticket)


def rate_limited(retry_after: int) -> SandboxResponse:
    return error_response(429, headers={"Retry-After": str(retry_after)})


def _process(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    latency_ms: int | None,
    sleep: Callable[[float], None],
) -> Outcome:
    base_latency = global_latency_ms() if latency_ms is None else latency_ms
    if base_latency:
        sleep(base_latency / 1000)
    fault = next_fault(method, api_path(url))
    if fault is None:
        return handle(method=method, url=url, headers=headers, body=body)
    if fault.kind in (Kind.TIMEOUT, Kind.CONNECTION_REFUSED):
        return NoAnswer(fault.kind, fault.latency_ms)
    if fault.latency_ms:
        sleep(fault.latency_ms / 1000)
    if fault.kind == Kind.LATENCY:
        return handle(method=method, url=url, headers=headers, body=body)
    return fault_response(fault)


def fault_response(fault: SandboxFault) -> SandboxResponse:
    """The canned answer of a "malformed" or "status" fault."""
    if fault.kind == Kind.MALFORMED:
        # What a proxy's error page looks like to a client that expects JSON.
        return SandboxResponse(200, MALFORMED_BODY, {"Content-Type": "text/html; charset=utf-8"})
    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
    return error_response(fault.status or 500, fault.message or None, headers=headers)


def _authorization(headers: Mapping[str, str]) -> str:
    """The Authorization header, whatever the case of its name (the token's identity)."""
    return next((value for key, value in headers.items() if key.lower() == "authorization"), "")
