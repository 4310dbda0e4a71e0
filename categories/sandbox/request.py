"""One parsed API request, as every handler sees it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import SandboxUser
from .operations import selected_fields
from .pagination import PageQuery
from .responses import ApiError, SandboxResponse, json_response
from .validation import bad_request


@dataclass
class ApiRequest:
    method: str
    path: str  # relative to the API root, without a trailing slash: "/workspaces"
    params: dict[str, str]
    body: bytes
    base_url: str  # the API root as the caller addressed it: "http://host/api/1.0"
    user: SandboxUser | None = field(default=None)  # set once the token is accepted

    @property
    def me(self) -> SandboxUser:
        assert self.user is not None, "handlers run only after authentication"
        return self.user

    def fields(self, operation: str, default: Iterable[str]) -> tuple[str, ...]:
        return selected_fields(operation, self.params.get("opt_fields"), default)

    def data(self) -> dict[str, Any]:
        """The object inside the body's `{"data": ...}` envelope."""
        try:
            body = json.loads(self.body or b"null")
        except ValueError:  # includes UnicodeDecodeError
            raise ApiError(400, "Could not parse request data, invalid JSON") from None
        if not isinstance(body, dict) or body.get("data") is None:
            raise bad_request("data", "Missing input")
        if not isinstance(body["data"], dict):
            raise bad_request("data", "Must be an object")
        return body["data"]

    def page_query(self) -> PageQuery:
        return PageQuery(path=self.path, params=self.params, base_url=self.base_url)

    def answer(self, payload: Any, *, status: int = 200) -> SandboxResponse:
        pretty = self.params.get("opt_pretty", "false").lower() != "false"
        return json_response(payload, status=status, pretty=pretty)
