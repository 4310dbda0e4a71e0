"""The validator itself: it must reject what breaks the spec, or contract tests prove nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from openapi_core.exceptions import OpenAPIError

from tests.contract.openapi import ASANA_API, validate_request, validate_response

SANDBOX_API = "http://asana-sandbox.local/api/1.0"
CATEGORIES = "/time_tracking_categories"
BEARER = {"Authorization": "Bearer contract-token"}


def prepared(
    method: str,
    path: str,
    *,
    api_root: str = ASANA_API,
    headers: dict[str, str] = BEARER,
    **kwargs: Any,
) -> requests.PreparedRequest:
    return requests.Request(method, api_root + path, headers=headers, **kwargs).prepare()


def answer(status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    response._content = json.dumps(body).encode()
    return response


LIST_PARAMS = {"workspace": "1", "limit": 100, "opt_fields": "name,color,is_archived"}
# name -> (request, the API root it was sent under)
GOOD_REQUESTS = {
    "list": (prepared("GET", CATEGORIES, params={**LIST_PARAMS, "is_archived": "true"}), ASANA_API),
    "create": (
        prepared("POST", CATEGORIES, json={"data": {"workspace": "1", "name": "n"}}),
        ASANA_API,
    ),
    "sandbox": (
        prepared("GET", "/workspaces", api_root=SANDBOX_API, params={"limit": 100}),
        SANDBOX_API,
    ),
}
BAD_REQUESTS = {
    "opt_fields not in the enum": prepared(
        "GET", CATEGORIES, params={**LIST_PARAMS, "opt_fields": "name,gid"}
    ),
    "limit above 100": prepared("GET", CATEGORIES, params={**LIST_PARAMS, "limit": 101}),
    "is_archived not a boolean": prepared(
        "GET", CATEGORIES, params={**LIST_PARAMS, "is_archived": "maybe"}
    ),
    "workspace missing": prepared("GET", CATEGORIES, params={"limit": 100}),
    "start_date not a date": prepared(
        "GET", "/time_tracking_categories/1/time_tracking_entries", params={"start_date": "3/1"}
    ),
    "color not one of the 16": prepared(
        "POST", CATEGORIES, json={"data": {"workspace": "1", "name": "n", "color": "teal"}}
    ),
    "name missing on create": prepared("POST", CATEGORIES, json={"data": {"workspace": "1"}}),
    "is_archived a string on update": prepared(
        "PUT", f"{CATEGORIES}/1", json={"data": {"is_archived": "yes"}}
    ),
    "unknown path": prepared("GET", "/time_tracking_categorys"),
}


@pytest.mark.parametrize(("request_", "api_root"), GOOD_REQUESTS.values(), ids=GOOD_REQUESTS.keys())
def test_a_request_that_follows_the_spec_passes(
    request_: requests.PreparedRequest, api_root: str
) -> None:
    validate_request(request_, api_root=api_root)


@pytest.mark.parametrize("request_", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_request_that_breaks_the_spec_is_rejected(request_: requests.PreparedRequest) -> None:
    with pytest.raises(OpenAPIError):
        validate_request(request_)


def test_a_request_without_a_bearer_token_is_rejected() -> None:
    with pytest.raises(AssertionError, match="bearer"):
        validate_request(prepared("GET", "/workspaces", headers={}))


def test_a_request_sent_elsewhere_than_the_given_api_root_is_rejected() -> None:
    with pytest.raises(AssertionError, match="not sent under"):
        validate_request(prepared("GET", "/workspaces", api_root=SANDBOX_API))


GET_CATEGORY = prepared("GET", f"{CATEGORIES}/1")
CATEGORY = {"gid": "1", "resource_type": "time_tracking_category", "name": "n", "color": "red"}
BAD_RESPONSES = {
    "color not one of the 16": answer(200, {"data": {**CATEGORY, "color": "teal"}}),
    "is_archived a string": answer(200, {"data": {**CATEGORY, "is_archived": "no"}}),
    "status not declared": answer(201, {"data": CATEGORY}),
    "errors not a list": answer(404, {"errors": {"message": "Not Found"}}),
}


def test_a_response_that_follows_the_spec_passes() -> None:
    validate_response(GET_CATEGORY, answer(200, {"data": {**CATEGORY, "is_archived": True}}))


@pytest.mark.parametrize("response", BAD_RESPONSES.values(), ids=BAD_RESPONSES.keys())
def test_a_response_that_breaks_the_spec_is_rejected(response: requests.Response) -> None:
    with pytest.raises(OpenAPIError):
        validate_response(GET_CATEGORY, response)
