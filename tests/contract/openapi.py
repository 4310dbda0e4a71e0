"""Checks HTTP exchanges against Asana's OpenAPI spec (time_tracking_oas.yaml beside this file).

The spec is loaded once. `validate_request` checks a sent `requests.PreparedRequest` (path,
query parameters with their enums and formats, JSON body); `validate_exchange` also checks
the `requests.Response` it got (status declared for the operation, body schema). Requests
sent to another API root (the sandbox's) are checked as if they had gone to Asana's.
`record_exchanges` collects every (request, response) pair a session sees.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPEC_FILE = Path(__file__).with_name("time_tracking_oas.yaml")
ASANA_API = "https://app.asana.com/api/1.0"  # the spec's server URL


@cache
def asana_spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_FILE))


@contextmanager
def _quiet() -> Iterator[None]:
    # openapi-core checks the bearer scheme but warns that it cannot check the oauth2 one.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        yield


def as_sent_to_asana(
    request: requests.PreparedRequest, api_root: str = ASANA_API
) -> requests.PreparedRequest:
    """A copy of `request` with `api_root` (e.g. the sandbox's) replaced by Asana's."""
    url = request.url or ""
    if not url.startswith(api_root.rstrip("/") + "/"):
        raise AssertionError(f"{url} was not sent under {api_root}")
    copy = request.copy()
    copy.url = ASANA_API + url[len(api_root.rstrip("/")) :]
    return copy


def _openapi_request(request: requests.PreparedRequest, api_root: str) -> RequestsOpenAPIRequest:
    authorization = request.headers.get("Authorization", "")
    # Both of the spec's security schemes are a bearer token in this header.
    if not authorization.startswith("Bearer ") or not authorization[7:].strip():
        raise AssertionError(f"{request.method} {request.url} carries no bearer token")
    return RequestsOpenAPIRequest(as_sent_to_asana(request, api_root))


def validate_request(request: requests.PreparedRequest, *, api_root: str = ASANA_API) -> None:
    """Raise (an openapi-core error or AssertionError) unless the request follows the spec."""
    with _quiet():
        asana_spec().validate_request(_openapi_request(request, api_root))


def validate_response(
    request: requests.PreparedRequest, response: requests.Response, *, api_root: str = ASANA_API
) -> None:
    """Raise unless the spec declares the response's status for the request's operation and
    its body matches that status's schema (the request itself is not checked)."""
    with _quiet():
        asana_spec().validate_response(
            RequestsOpenAPIRequest(as_sent_to_asana(request, api_root)),
            RequestsOpenAPIResponse(response),
        )


def validate_exchange(
    request: requests.PreparedRequest, response: requests.Response, *, api_root: str = ASANA_API
) -> None:
    """Both: the request follows the spec, and so does the response to it."""
    validate_request(request, api_root=api_root)
    validate_response(request, response, api_root=api_root)


@dataclass(frozen=True)
class Exchange:
    request: requests.PreparedRequest
    response: requests.Response

    def __str__(self) -> str:
        return f"{self.request.method} {self.request.url} -> {self.response.status_code}"


def record_exchanges(session: requests.Session) -> list[Exchange]:
    """Every (request, response) pair `session` sees from now on, appended as they happen."""
    exchanges: list[Exchange] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        exchanges.append(Exchange(response.request, response))
        return response

    session.hooks["response"].append(hook)
    return exchanges
