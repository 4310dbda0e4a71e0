"""Generated query strings thrown at every screen a GET opens: never a 500, never a trace.

Every date, number and choice a URL can carry is parsed by a form first; whatever is
wrong is answered with words (a 4xx, or the default for a harmless unknown order), and
nothing unparsed reaches Asana or a calculation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.routes import Route, protected_routes
from tests.support.screens import category_gid

pytestmark = pytest.mark.django_db

# What the screens read, plus names none of them knows.
KEYS = [
    "range", "start", "end", "sort", "show", "group", "people", "projects", "refresh",
    "archived", "full", "state", "q", "page", "action", "outcome", "user", "category",
    "since", "until", "kept", "unknown",
]  # fmt: skip
DATES = st.dates().map(lambda day: day.isoformat())
EDGE_VALUES = st.sampled_from([
    "", "custom", "this-month", "0001-01-01", "9999-12-31", "2026-02-30", "-1", "0",
    "99999999999999999999", "1e9", "day", "week", "quarter", "-date", "--hours", "\x00",
    "a" * 5000, "<script>alert(1)</script>", "%00", "NaN", "1", "true", " ",
])  # fmt: skip
VALUES = st.one_of(EDGE_VALUES, DATES, st.text(max_size=40), st.integers().map(str))
QUERIES = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)
GET_ROUTES = [
    route for route in protected_routes() if "export" not in route.name and route.name != "logout"
]


def path_of(route: Route) -> str:
    gid = category_gid("Engineering")
    return route.path(**{name: gid for name in route.parameters if "gid" in name})


@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
def test_no_generated_query_string_gives_a_500(admin_http: Any, route: Route) -> None:
    path = path_of(route)

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(query=QUERIES)
    def check(query: dict[str, str]) -> None:
        response = admin_http.get(f"{path}?{urlencode(query)}")
        assert response.status_code < 500, (path, query, response.status_code)
        if response.streaming:
            return
        assert b"Traceback" not in response.content

    check()
