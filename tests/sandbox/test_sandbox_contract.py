"""The sandbox against Asana's OpenAPI spec: its opt_fields enums, requests and answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from categories.asana.colors import CATEGORY_COLORS
from categories.sandbox.adapter import SANDBOX_BASE_URL
from categories.sandbox.operations import OPT_FIELDS
from tests.support.sandbox import DESIGN, ENGINEERING, NORTHWIND, Api

REPO = Path(__file__).resolve().parents[2]
SPEC_PLACES = (
    REPO / "tests" / "contract" / "time_tracking_oas.yaml",
    REPO.parent / "shared" / "asana" / "time_tracking_oas.yaml",
)
SPEC_PATH = next((path for path in SPEC_PLACES if path.is_file()), None)
pytestmark = pytest.mark.skipif(SPEC_PATH is None, reason="Asana's OpenAPI spec is not here")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    assert SPEC_PATH is not None
    return yaml.safe_load(SPEC_PATH.read_text())


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for methods in spec["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _opt_fields_enum(operation: dict[str, Any]) -> frozenset[str] | None:
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "opt_fields":
            return frozenset(parameter["schema"]["items"]["enum"])
    return None


def test_opt_fields_accepted_are_exactly_the_specs_enums(spec: dict[str, Any]) -> None:
    from_spec = {
        operation_id: enum
        for operation_id, operation in _operations(spec).items()
        if (enum := _opt_fields_enum(operation)) is not None
    }

    assert dict(OPT_FIELDS) == from_spec


def test_the_colours_are_the_specs(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["TimeTrackingCategoryBaseRequest"]
    assert tuple(schema["properties"]["color"]["enum"]) == CATEGORY_COLORS


CALLS: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("GET", "/users/me", {"opt_fields": "name,email,workspaces.name"}, None),
    ("GET", "/workspaces", {"limit": 1}, None),
    ("GET", "/time_tracking_categories", {"workspace": NORTHWIND, "limit": 5}, None),
    ("GET", "/time_tracking_categories", {"workspace": NORTHWIND, "is_archived": "true"}, None),
    ("GET", f"/time_tracking_categories/{DESIGN}", {}, None),
    ("PUT", f"/time_tracking_categories/{DESIGN}", {}, {"data": {"color": "red"}}),
    ("DELETE", f"/time_tracking_categories/{DESIGN}", {}, None),
    (
        "POST",
        "/time_tracking_categories",
        {},
        {"data": {"workspace": NORTHWIND, "name": "Contract <&> ✓"}},
    ),
    (
        "GET",
        f"/time_tracking_categories/{ENGINEERING}/time_tracking_entries",
        {"limit": 3, "start_date": "2025-01-01"},
        None,
    ),
    (
        "GET",
        "/time_tracking_entries",
        {"workspace": NORTHWIND, "entered_on_start_date": "2025-06-01", "limit": 10},
        None,
    ),
    ("GET", "/time_tracking_categories", {"workspace": NORTHWIND, "limit": 0}, None),
    ("GET", "/time_tracking_categories/1209000000999999", {}, None),
]


@pytest.mark.parametrize(("method", "path", "params", "body"), CALLS)
def test_requests_and_answers_follow_the_spec(
    api: Api,
    spec: dict[str, Any],
    method: str,
    path: str,
    params: dict[str, Any],
    body: dict[str, Any] | None,
) -> None:
    from openapi_core import OpenAPI
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    openapi = OpenAPI.from_dict({**spec, "servers": [{"url": SANDBOX_BASE_URL}]})
    response: requests.Response = api.request(method, path, params=params, json=body)
    request = RequestsOpenAPIRequest(response.request)

    if response.ok:  # the failing calls are invalid on purpose
        openapi.validate_request(request)
    openapi.validate_response(request, RequestsOpenAPIResponse(response))
