"""Pages holding Asana data stay out of the browser's history cache: after signing out, the
back button (or the next person at a shared computer) cannot show them again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.routes import Route, protected_routes

NEVER_KEPT = ("private", "no-store", "no-cache", "max-age=0")


def cache_control_of(response: Any) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("route", protected_routes(), ids=str)
def test_every_signed_in_answer_is_kept_by_no_cache(admin_http: Any, route: Route) -> None:
    path = route.path()
    response = admin_http.get(path)
    if response.status_code == 405:
        response = admin_http.post(path, {})
    assert set(NEVER_KEPT) <= cache_control_of(response), (path, response.status_code)


def test_refusals_to_a_signed_in_person_are_not_kept_either(reviewer_http: Any) -> None:
    response = reviewer_http.get("/audit/")
    assert response.status_code == 403
    assert set(NEVER_KEPT) <= cache_control_of(response)
