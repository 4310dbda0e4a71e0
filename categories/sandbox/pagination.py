"""Asana-style pagination: `limit` 1..100 and opaque, expiring `offset` tokens.

An offset is a signed keyset position (the sort key of the last row served) plus a
fingerprint of the query it belongs to. Keyset paging keeps pages stable while rows are
added or deleted between requests, the signature makes offsets opaque and tamper-proof,
and the fingerprint makes an offset from another query a 400, as Asana does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Q, QuerySet

from .responses import ApiError

MAX_LIMIT = 100
OFFSET_SALT = "categories.sandbox.pagination.offset"
OFFSET_MAX_AGE = dt.timedelta(minutes=30)
TOO_LARGE = (
    "The result is too large. You should use pagination (may require specifying a workspace)!"
)
# Parameters that do not change which rows a query selects, so an offset survives them.
_NOT_IN_FINGERPRINT = frozenset({"limit", "offset", "opt_fields", "opt_pretty"})


@dataclass(frozen=True)
class PageQuery:
    """One list request: where it was sent and with which query parameters."""

    path: str  # relative to the API root, e.g. "/time_tracking_categories"
    params: Mapping[str, str]
    base_url: str  # e.g. "http://asana-sandbox.local/api/1.0"

    @property
    def fingerprint(self) -> str:
        selecting = sorted((k, v) for k, v in self.params.items() if k not in _NOT_IN_FINGERPRINT)
        digest = hashlib.sha256(json.dumps([self.path, selecting]).encode())
        return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_page: dict[str, str] | None
    limited: bool  # whether the request had a limit (only then is next_page in the answer)

    def envelope(self, data: list[Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"data": data}
        if self.limited:
            body["next_page"] = self.next_page
        return body


# Reads up to `count` rows in the page order, starting after a keyset position (None: from
# the first row).
FetchRows = Callable[[Sequence[Any] | None, int], list[Any]]


def paginate(queryset: QuerySet, order: Sequence[str], query: PageQuery) -> Page:
    """One page of `queryset` in `order` (which must end with a unique field)."""

    def fetch(after: Sequence[Any] | None, count: int) -> list[Any]:
        rows = queryset.order_by(*order)
        if after is not None:
            rows = rows.filter(_after(order, after))
        return list(rows[:count])

    return paginate_with(fetch, order, query)


def paginate_with(fetch: FetchRows, order: Sequence[str], query: PageQuery) -> Page:
    """One page of what `fetch` reads in `order`; the offset records the last row's
    values of `order`, which `fetch` gets back (JSON-safe: dates as ISO strings)."""
    limit = parse_limit(query.params.get("limit"))
    token = query.params.get("offset")
    after = decode_offset(token, query.fingerprint) if token else None
    items = fetch(after, (limit or MAX_LIMIT) + 1)
    if limit is None:
        if len(items) > MAX_LIMIT:
            raise ApiError(400, TOO_LARGE)
        return Page(items, None, limited=False)
    if len(items) <= limit:
        return Page(items, None, limited=True)
    items = items[:limit]
    position = [_json_safe(_field(items[-1], name)) for name in order]
    return Page(items, _next_page(query, encode_offset(position, query.fingerprint)), True)


def parse_limit(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        limit = int(value)
    except ValueError:
        raise ApiError(400, f'limit: Not a valid integer: "{value}"') from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit: Must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def encode_offset(position: list[Any], fingerprint: str) -> str:
    return signing.dumps({"after": position, "query": fingerprint}, salt=OFFSET_SALT)


def decode_offset(token: str, fingerprint: str) -> list[Any]:
    try:
        payload = signing.loads(token, salt=OFFSET_SALT, max_age=OFFSET_MAX_AGE)
    except signing.SignatureExpired:
        raise ApiError(
            400, "offset: This offset has expired; start again from the first page."
        ) from None
    except signing.BadSignature:
        raise ApiError(400, "offset: Not a valid offset.") from None
    if payload.get("query") != fingerprint:
        raise ApiError(400, "offset: This offset was issued for a different query.")
    return payload["after"]


def _after(order: Sequence[str], position: Sequence[Any]) -> Q:
    """Rows strictly after `position` in lexicographic `order` (a keyset condition)."""
    conditions = (
        Q(**dict(zip(order[:i], position[:i], strict=True)), **{f"{name}__gt": position[i]})
        for i, name in enumerate(order)
    )
    return reduce(operator.or_, conditions)


def _field(item: Any, name: str) -> Any:
    """Pages hold model objects or, for `.values()` querysets, dicts."""
    return item[name] if isinstance(item, dict) else getattr(item, name)


def _json_safe(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _next_page(query: PageQuery, offset: str) -> dict[str, str]:
    params = {k: v for k, v in query.params.items() if k != "offset"}
    path = f"{query.path}?{urlencode({**params, 'offset': offset})}"
    return {"offset": offset, "path": path, "uri": query.base_url + path}
