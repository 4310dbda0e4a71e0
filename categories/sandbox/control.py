"""The HTTP server's test-only control API under /_sandbox/ (never reachable via the adapter).

POST   /_sandbox/faults   body: inject_fault's keyword arguments   -> 201 {"data": rule}
DELETE /_sandbox/faults                                            -> 200 {"data": {}}
POST   /_sandbox/reset    body (optional): {"today": "YYYY-MM-DD"} -> 200 {"data": {...}}
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .faults import clear_faults, inject_fault
from .models import SandboxFault
from .responses import ApiError, SandboxResponse, error_response, json_response
from .seed import reset_demo_data

CONTROL_ROOT = "/_sandbox/"


def handle_control(method: str, path: str, body: bytes) -> SandboxResponse:
    try:
        return _dispatch(method.upper(), path.rstrip("/"), _json_object(body))
    except ApiError as error:
        return error_response(error.status, error.message)


def _dispatch(method: str, path: str, payload: dict[str, Any]) -> SandboxResponse:
    if path == "/_sandbox/faults" and method == "POST":
        try:
            fault = inject_fault(**payload)
        except (TypeError, ValueError) as error:
            raise ApiError(400, f"fault: {error}") from None
        return json_response({"data": fault_record(fault)}, status=201)
    if path == "/_sandbox/faults" and method == "DELETE":
        clear_faults()
        return json_response({"data": {}})
    if path == "/_sandbox/reset" and method == "POST":
        reset_demo_data(today=_today(payload.get("today")))
        return json_response({"data": {"reset": True}})
    raise ApiError(404, f"No control route for {method} {path}")


def fault_record(fault: SandboxFault) -> dict[str, Any]:
    return {
        "id": fault.pk,
        "kind": fault.kind,
        "method": fault.method,
        "path_pattern": fault.path_pattern,
        "status": fault.status,
        "retry_after": fault.retry_after,
        "latency_ms": fault.latency_ms,
        "remaining": fault.remaining,
        "message": fault.message,
    }


def _today(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApiError(400, f'today: "{value}" is an invalid date') from None


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError:
        raise ApiError(400, "Could not parse request data, invalid JSON") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object")
    return payload
