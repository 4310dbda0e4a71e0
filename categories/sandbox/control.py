"""The HTTP server's test-only control API under /_sandbox/ (never reachable via the adapter;
every request needs the control token, see server.py).

POST   /_sandbox/faults   body: inject_fault's keyword arguments   -> 201 {"data": rule}
DELETE /_sandbox/faults                                            -> 200 {"data": {}}
POST   /_sandbox/deny_scope  body: {"scope": "time_tracking_entries:read"}
                          every operation needing it answers 403   -> 201 {"data": [rules]}
POST   /_sandbox/reset    body (optional): {"today": "YYYY-MM-DD"} -> 200 {"data": {...}}
                          (demo data, faults and usage counters back to new)
GET    /_sandbox/usage    the per-token counters (limits.py)       -> 200 {"data": report}
DELETE /_sandbox/usage    counters back to zero (limits stay)      -> 200 {"data": report}
PUT    /_sandbox/limits   body: {"per_minute", "reads", "writes", "enforce"} (any of them)
                                                                   -> 200 {"data": limits}
POST   /_sandbox/oauth/clients  body: register_client's keyword arguments -> 201
POST   /_sandbox/oauth/revoke   body (optional): {"user": gid}  -> 200 {"data": {"revoked": n}}
POST   /_sandbox/oauth/expire   body (optional): {"user": gid}  -> 200 {"data": {"expired": n}}
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from .api import deny_scope
from .faults import clear_faults, inject_fault
from .limits import Limits, reset_usage, set_limits, usage_report
from .models import SandboxFault
from .oauth import expire_access_tokens, register_client, revoke_grants
from .responses import ApiError, SandboxResponse, error_response, json_response
from .seed import reset_demo_data

CONTROL_ROOT = "/_sandbox/"
OAUTH_CONTROL_ROOT = "/_sandbox/oauth/"


def handle_control(method: str, path: str, body: bytes) -> SandboxResponse:
    try:
        return _dispatch(method.upper(), path.rstrip("/"), _json_object(body))
    except ApiError as error:
        return error_response(error.status, error.message)


def _dispatch(method: str, path: str, payload: dict[str, Any]) -> SandboxResponse:
    if path.startswith(OAUTH_CONTROL_ROOT) and method == "POST":
        return _oauth_control(path, payload)
    if path == "/_sandbox/faults" and method == "POST":
        try:
            fault = inject_fault(**payload)
        except (TypeError, ValueError) as error:
            raise ApiError(400, f"fault: {error}") from None
        return json_response({"data": fault_record(fault)}, status=201)
    if path == "/_sandbox/faults" and method == "DELETE":
        clear_faults()
        return json_response({"data": {}})
    if path == "/_sandbox/deny_scope" and method == "POST":
        scope = payload.get("scope")
        if not isinstance(scope, str) or not scope:
            raise ApiError(400, "scope: Missing input")
        return json_response({"data": [fault_record(f) for f in deny_scope(scope)]}, status=201)
    if path == "/_sandbox/reset" and method == "POST":
        reset_demo_data(today=_today(payload.get("today")))
        reset_usage()
        return json_response({"data": {"reset": True}})
    if path == "/_sandbox/usage" and method == "GET":
        return json_response({"data": usage_report()})
    if path == "/_sandbox/usage" and method == "DELETE":
        reset_usage()
        return json_response({"data": usage_report()})
    if path == "/_sandbox/limits" and method == "PUT":
        return json_response({"data": asdict(_set_limits(payload))})
    raise ApiError(404, f"No control route for {method} {path}")


def _oauth_control(path: str, payload: dict[str, Any]) -> SandboxResponse:
    """Register an app; revoke grants or expire access tokens (one user's, or all)."""
    action = path[len(OAUTH_CONTROL_ROOT) :]
    if action == "clients":
        try:
            client = register_client(**payload)
        except TypeError as error:
            raise ApiError(400, f"client: {error}") from None
        return json_response({"data": {"client_id": client.client_id}}, status=201)
    user = payload.get("user")
    if user is not None and not isinstance(user, str):
        raise ApiError(400, "user: a user gid (a string)")
    if action == "revoke":
        return json_response({"data": {"revoked": revoke_grants(user_gid=user)}})
    if action == "expire":
        return json_response({"data": {"expired": expire_access_tokens(user_gid=user)}})
    raise ApiError(404, f"No control route for POST {path}")


def _set_limits(payload: dict[str, Any]) -> Limits:
    unknown = set(payload) - {"per_minute", "reads", "writes", "enforce"}
    if unknown:
        raise ApiError(400, f"limits: Unknown field(s) {', '.join(sorted(unknown))}")
    numbers = {k: v for k, v in payload.items() if k != "enforce"}
    if any(isinstance(v, bool) or not isinstance(v, int) for v in numbers.values()):
        raise ApiError(400, "limits: per_minute, reads and writes must be integers")
    enforce = payload.get("enforce")
    if enforce is not None and not isinstance(enforce, bool):
        raise ApiError(400, "limits: enforce must be true or false")
    try:
        return set_limits(**numbers, enforce=enforce)
    except ValueError as error:
        raise ApiError(400, f"limits: {error}") from None


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
