"""Asana's records as typed, immutable values (parsed once, at the client boundary)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Workspace:
    gid: str
    name: str

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Workspace:
        return cls(gid=str(data["gid"]), name=data.get("name") or "")


@dataclass(frozen=True)
class User:
    gid: str
    name: str
    email: str = ""
    workspaces: tuple[Workspace, ...] = ()

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> User:
        return cls(
            gid=str(data["gid"]),
            name=data.get("name") or "",
            email=data.get("email") or "",
            workspaces=tuple(Workspace.from_api(w) for w in data.get("workspaces") or ()),
        )


@dataclass(frozen=True)
class Category:
    gid: str
    name: str
    color: str
    # None when Asana's answer did not say (a compact record without opt_fields).
    is_archived: bool | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Category:
        archived = data.get("is_archived")
        return cls(
            gid=str(data["gid"]),
            name=data.get("name") or "",
            color=data.get("color") or "none",
            is_archived=None if archived is None else bool(archived),
        )


@dataclass(frozen=True)
class Reference:
    """A compact pointer to a project or user: gid and name."""

    gid: str
    name: str

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> Reference | None:
        if not data:
            return None
        return cls(gid=str(data.get("gid", "")), name=data.get("name") or "")


@dataclass(frozen=True)
class TimeEntry:
    gid: str
    entered_on: dt.date
    duration_minutes: int
    created_by: Reference | None
    attributable_to: Reference | None
    categories: tuple[Category, ...]

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> TimeEntry:
        return cls(
            gid=str(data["gid"]),
            entered_on=dt.date.fromisoformat(data["entered_on"]),
            duration_minutes=int(data.get("duration_minutes") or 0),
            created_by=Reference.from_api(data.get("created_by")),
            attributable_to=Reference.from_api(data.get("attributable_to")),
            categories=tuple(Category.from_api(c) for c in data.get("categories") or ()),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list; `next_offset` is None on the last page."""

    items: list[T]
    next_offset: str | None

    @property
    def has_more(self) -> bool:
        return self.next_offset is not None


def iterate_pages(fetch_page: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Yield every item of every page, following `next_offset` until it runs out."""
    offset: str | None = None
    while True:
        page = fetch_page(offset)
        yield from page.items
        if page.next_offset is None:
            return
        offset = page.next_offset
