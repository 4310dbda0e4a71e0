"""The sandbox's request handler: URL in, Asana-shaped answer out. No transport here.

`handle` is pure in the sense that matters: it takes the parts of an HTTP request and
returns status, headers and body, whatever transport carried them (the requests adapter
in demo mode and tests, or the HTTP server for other processes).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from . import handlers, oauth, scopes
from .faults import inject_fault
from .models import SandboxFault, SandboxUser
from .request import ApiRequest
from .responses import ApiError, SandboxResponse, error_response

logger = logging.getLogger("categories.sandbox")

API_ROOT = "/api/1.0"
NO_ROUTE = "No matching route for request"
_BEARER = re.compile(r"Bearer (\S+)")

Handler = Callable[..., SandboxResponse]


@dataclass(frozen=True)
class Operation:
    handler: Handler
    scope: str  # the OAuth scope Asana asks of the token for it


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: Mapping[str, Operation]


def _route(pattern: str, **methods: tuple[Handler, str]) -> Route:
    operations = {method: Operation(*spec) for method, spec in methods.items()}
    return Route(re.compile(pattern), operations)


ROUTES = (
    _route(
        r"/time_tracking_categories",
        GET=(handlers.list_categories, scopes.CATEGORIES_READ),
        POST=(handlers.create_category, scopes.CATEGORIES_WRITE),
    ),
    _route(
        r"/time_tracking_categories/(?P<gid>[^/]+)",
        GET=(handlers.get_category, scopes.CATEGORIES_READ),
        PUT=(handlers.update_category, scopes.CATEGORIES_WRITE),
        DELETE=(handlers.delete_category, scopes.CATEGORIES_DELETE),
    ),
    _route(
        r"/time_tracking_categories/(?P<gid>[^/]+)/time_tracking_entries",
        GET=(handlers.list_category_entries, scopes.CATEGORIES_READ),
    ),
    # The workspace-wide listing needs a scope of its own: a token may read every
    # category's entries and still be refused this one (the dashboard then falls back).
    _route(r"/time_tracking_entries", GET=(handlers.list_workspace_entries, scopes.ENTRIES_READ)),
    _route(
        r"/time_tracking_entries/(?P<gid>[^/]+)",
        GET=(handlers.get_entry, scopes.ENTRIES_READ),
        PUT=(handlers.update_entry, scopes.ENTRIES_WRITE),
    ),
    _route(r"/users/(?P<gid>[^/]+)", GET=(handlers.get_user, scopes.USERS_READ)),
    _route(
        r"/users/(?P<gid>[^/]+)/workspace_memberships",
        GET=(handlers.list_workspace_memberships, scopes.USERS_READ),
    ),
    _route(r"/workspaces", GET=(handlers.list_workspaces, scopes.WORKSPACES_READ)),
)


def handle(*, method: str, url: str, headers: Mapping[str, str], body: bytes) -> SandboxResponse:
    """Answer one request like Asana would; never raises."""
    try:
        if urlsplit(url).path == oauth.TOKEN_PATH:
            return oauth.token_response(method=method, url=url, headers=headers, body=body)
        return _dispatch(method.upper(), url, headers, body)
    except ApiError as error:
        return error_response(error.status, error.message, headers=error.headers)
    except Exception:
        # A bug in the sandbox: answer like Asana's 500 (with a phrase), keep the traceback.
        logger.exception("sandbox: unexpected error answering %s %s", method, url)
        return error_response(500)


def api_path(url: str) -> str:
    """The path relative to the API root ("/workspaces"); other paths are returned whole."""
    path = unquote(urlsplit(url).path)
    if path == API_ROOT or path.startswith(API_ROOT + "/"):
        return path[len(API_ROOT) :].rstrip("/") or "/"
    return path


def _dispatch(method: str, url: str, headers: Mapping[str, str], body: bytes) -> SandboxResponse:
    parts = urlsplit(url)
    if not unquote(parts.path).startswith(API_ROOT + "/"):
        raise ApiError(404, NO_ROUTE)
    request = ApiRequest(
        method=method,
        path=api_path(url),
        params=dict(parse_qsl(parts.query, keep_blank_values=True)),
        body=body,
        base_url=f"{parts.scheme}://{parts.netloc}{API_ROOT}",
    )
    token = bearer_token(headers)
    request.user = authenticate(token)
    operation, path_params = resolve(method, request.path)
    if operation.scope in scopes.lacked_scopes(token):
        raise ApiError(403, scopes.missing_scope_message(operation.scope))
    return operation.handler(request, **path_params)


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token of `Authorization: Bearer <token>`; a 401 without one."""
    match = _BEARER.fullmatch(_header(headers, "Authorization").strip())
    if match is None:
        raise ApiError(401, "Not Authorized")
    return match.group(1)


def authenticate(token: str) -> SandboxUser:
    """A token the sandbox issued (signing in) is its user; any other token is the demo
    user, except tokens starting with "invalid"."""
    if token.startswith("invalid"):
        raise ApiError(401, "Not Authorized")
    if oauth.is_oauth_token(token):  # issued by signing in: that person, or 401
        return oauth.user_for_access_token(token)
    user = SandboxUser.first()
    if user is None:
        raise ApiError(500, "The sandbox has no data yet: run `manage.py seed_sandbox`.")
    return user


def resolve(method: str, path: str) -> tuple[Operation, dict[str, str]]:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None:
            continue
        operation = route.methods.get(method)
        if operation is None:
            allowed = ", ".join(route.methods)
            raise ApiError(405, f"{method} is not allowed here", headers={"Allow": allowed})
        return operation, match.groupdict()
    raise ApiError(404, NO_ROUTE)


def deny_scope(scope: str, *, times: int | None = None) -> list[SandboxFault]:
    """Make every operation that needs `scope` answer 403 as for a token without it, for
    any token (demo mode's included), until the faults are cleared (or `times` uses)."""
    return [
        inject_fault(
            kind=SandboxFault.Kind.STATUS,
            status=403,
            method=method,
            path_pattern=f"^{route.pattern.pattern}$",
            message=scopes.missing_scope_message(scope),
            times=times,
        )
        for route in ROUTES
        for method, operation in route.methods.items()
        if operation.scope == scope
    ]


def _header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive lookup that works for plain dicts as well as HTTP header objects."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")
