"""Pagination: limit bounds, next_page, opaque offsets that expire and belong to one query."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import signing

from categories.sandbox.models import SandboxCategory
from categories.sandbox.pagination import MAX_LIMIT, OFFSET_MAX_AGE, OFFSET_SALT, TOO_LARGE
from tests.support.sandbox import ACME, ENGINEERING, NORTHWIND, Api, error_message

CATEGORIES = "/time_tracking_categories"


def _first_page(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get(CATEGORIES, workspace=ACME, **params)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("limit", ["0", "101", "-5", "ten"])
def test_limit_outside_1_to_100_is_a_400_naming_limit(api: Api, limit: str) -> None:
    response = api.get(CATEGORIES, workspace=NORTHWIND, limit=limit)

    assert response.status_code == 400
    assert error_message(response).startswith("limit:")


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_limits_at_the_bounds_are_accepted(api: Api, limit: int) -> None:
    page = _first_page(api, limit=limit)

    assert len(page["data"]) == limit
    assert page["next_page"] is not None


def test_paging_through_131_categories_collects_every_one_exactly_once(api: Api) -> None:
    seen: list[str] = []
    offset = None
    pages = 0
    while True:
        page = _first_page(api, limit=7, **({"offset": offset} if offset else {}))
        pages += 1
        seen += [category["gid"] for category in page["data"]]
        if page["next_page"] is None:
            break
        offset = page["next_page"]["offset"]

    active = SandboxCategory.objects.filter(workspace__pk=2, is_archived=False)
    assert len(seen) == len(set(seen)) == 131  # 137 in Acme, 6 of them archived
    assert seen == sorted(seen)
    assert set(seen) == {category.gid for category in active}
    assert pages == 19


def test_next_page_names_offset_path_and_uri_then_null_on_the_last_page(api: Api) -> None:
    first = _first_page(api, limit=100)
    next_page = first["next_page"]

    assert set(next_page) == {"offset", "path", "uri"}
    assert next_page["path"].startswith("/time_tracking_categories?")
    assert next_page["uri"] == "http://asana-sandbox.local/api/1.0" + next_page["path"]
    following = api.session.get(next_page["uri"], timeout=5).json()
    assert len(following["data"]) == 31
    assert following["next_page"] is None


def test_a_page_that_fits_exactly_has_a_null_next_page(api: Api) -> None:
    page = api.get(CATEGORIES, workspace=NORTHWIND, limit=11).json()

    assert len(page["data"]) == 11
    assert page["next_page"] is None


def test_a_large_result_without_limit_is_refused(api: Api) -> None:
    response = api.get(CATEGORIES, workspace=ACME)
    entries = api.get(f"{CATEGORIES}/{ENGINEERING}/time_tracking_entries")

    assert (response.status_code, error_message(response)) == (400, TOO_LARGE)
    assert entries.status_code == 400


def test_an_offset_from_another_query_is_a_400(api: Api) -> None:
    offset = _first_page(api, limit=10)["next_page"]["offset"]

    archived = api.get(CATEGORIES, workspace=ACME, is_archived="true", limit=10, offset=offset)
    other_workspace = api.get(CATEGORIES, workspace=NORTHWIND, limit=10, offset=offset)
    other_path = api.get(f"{CATEGORIES}/{ENGINEERING}/time_tracking_entries", offset=offset)

    for response in (archived, other_workspace, other_path):
        assert response.status_code == 400
        assert error_message(response).startswith("offset:")


def test_an_offset_survives_a_changed_limit_or_opt_fields(api: Api) -> None:
    offset = _first_page(api, limit=10)["next_page"]["offset"]

    page = _first_page(api, limit=5, offset=offset, opt_fields="name")

    assert len(page["data"]) == 5


def test_a_tampered_offset_is_a_400_naming_offset(api: Api) -> None:
    offset = _first_page(api, limit=10)["next_page"]["offset"]
    tampered = offset[:-3] + ("abc" if not offset.endswith("abc") else "xyz")

    for bad in (tampered, "not-an-offset", "eyJhZnRlciI6WzNdfQ"):
        response = api.get(CATEGORIES, workspace=ACME, limit=10, offset=bad)
        assert response.status_code == 400
        assert error_message(response).startswith("offset:")


class _SignedLongAgo(signing.TimestampSigner):
    def timestamp(self) -> str:
        issued = time.time() - OFFSET_MAX_AGE.total_seconds() - 60
        return signing.b62_encode(int(issued))


def test_an_expired_offset_is_a_400_naming_offset(api: Api) -> None:
    fresh = _first_page(api, limit=10)["next_page"]["offset"]
    payload = signing.loads(fresh, salt=OFFSET_SALT)
    expired = _SignedLongAgo(salt=OFFSET_SALT).sign_object(payload)

    response = api.get(CATEGORIES, workspace=ACME, limit=10, offset=expired)

    assert response.status_code == 400
    assert error_message(response).startswith("offset:")
    assert "expired" in error_message(response)


def test_keyset_paging_neither_skips_nor_repeats_when_rows_change_between_pages(
    api: Api,
) -> None:
    first = _first_page(api, limit=10)
    # A category on the first page disappears and a new one appears at the end.
    api.delete(f"{CATEGORIES}/{first['data'][0]['gid']}")
    created = api.post(CATEGORIES, {"workspace": ACME, "name": "Brand new"}).json()["data"]

    rest: list[str] = []
    offset = first["next_page"]["offset"]
    while offset:
        page = _first_page(api, limit=50, offset=offset)
        rest += [c["gid"] for c in page["data"]]
        offset = page["next_page"] and page["next_page"]["offset"]

    assert len(rest) == 131 - 10 + 1
    assert rest[-1] == created["gid"]
    assert not set(rest) & {c["gid"] for c in first["data"]}
