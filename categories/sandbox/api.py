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

from . import handlers
from .models import SandboxUser
from .request import ApiRequest
from .responses import ApiError, SandboxResponse, error_response

logger = logging.getLogger("categories.sandbox")

API_ROOT = "/api/1.0"
NO_ROUTE = "No matching route for request"
_BEARER = re.compile(r"Bearer (\S+)")

Handler = Callable[..., SandboxResponse]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: Mapping[str, Handler]


def _route(pattern: str, **methods: Handler) -> Route:
    return Route(re.compile(pattern), methods)


ROUTES = (
    _route(
        r"/time_tracking_categories",
        GET=handlers.list_categories,
        POST=handlers.create_category,
    ),
    _route(
        r"/time_tracking_categories/(?P<gid>[^/]+)",
        GET=handlers.get_category,
        PUT=handlers.update_category,
        DELETE=handlers.delete_category,
    ),
    _route(
        r"/time_tracking_categories/(?P<gid>[^/]+)/time_tracking_entries",
        GET=handlers.list_category_entries,
    ),
    _route(r"/time_tracking_entries", GET=handlers.list_workspace_entries),
    _route(
        r"/time_tracking_entries/(?P<gid>[^/]+)",
        GET=handlers.get_entry,
        PUT=handlers.update_entry,
    ),
    _route(r"/users/(?P<gid>[^/]+)", GET=handlers.get_user),
    _route(r"/workspaces", GET=handlers.list_workspaces),
)


def handle(*, method: str, url: str, headers: Mapping[str, str], body: bytes) -> SandboxResponse:
    """Answer one request like Asana would; never raises."""
    try:
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
    request.user = authenticate(headers)
    handler, path_params = resolve(method, request.path)
    return handler(request, **path_params)


def authenticate(headers: Mapping[str, str]) -> SandboxUser:
    """Any well-formed bearer token is the demo user, except tokens starting with "invalid"."""
    match = _BEARER.fullmatch(_header(headers, "Authorization").strip())
    if match is None or match.group(1).startswith("invalid"):
        raise ApiError(401, "Not Authorized")
    user = SandboxUser.first()
    if user is None:
        raise ApiError(500, "The sandbox has no data yet: run `manage.py seed_sandbox`.")
    return user


def resolve(method: str, path: str) -> tuple[Handler, dict[str, str]]:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None:
            continue
        handler = route.methods.get(method)
        if handler is None:
            allowed = ", ".join(route.methods)
            raise ApiError(405, f"{method} is not allowed here", headers={"Allow": allowed})
        return handler, match.groupdict()
    raise ApiError(404, NO_ROUTE)


def _header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive lookup that works for plain dicts as well as HTTP header objects."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")
