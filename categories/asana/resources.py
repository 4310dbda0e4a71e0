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
    def from_api(cls, data: dict[str, Any], *, shared: SharedRecords | None = None) -> TimeEntry:
        """`shared`: equal people, projects and categories become one object across the
        entries parsed with it (see SharedRecords)."""
        known = shared or SharedRecords()
        return cls(
            gid=str(data["gid"]),
            entered_on=dt.date.fromisoformat(data["entered_on"]),
            duration_minutes=int(data.get("duration_minutes") or 0),
            created_by=known.reference(data.get("created_by")),
            attributable_to=known.reference(data.get("attributable_to")),
            categories=tuple(known.category(c) for c in data.get("categories") or ()),
        )

    @classmethod
    def parser(cls) -> Callable[[dict[str, Any]], TimeEntry]:
        """`from_api` with one SharedRecords for every entry it parses (use one per page)."""
        shared = SharedRecords()
        return lambda data: cls.from_api(data, shared=shared)


@dataclass(frozen=True)
class TimeEntryDetail(TimeEntry):
    """One entry as `GET/PUT /time_tracking_entries/{gid}` answers: the compact fields and
    the full record's own (`approval_status` says whether its timesheet is locked)."""

    description: str = ""
    billable_status: str = ""
    approval_status: str = ""
    task: Reference | None = None
    created_at: dt.datetime | None = None

    @property
    def category_gids(self) -> tuple[str, ...]:
        return tuple(category.gid for category in self.categories)

    @classmethod
    def from_api(
        cls, data: dict[str, Any], *, shared: SharedRecords | None = None
    ) -> TimeEntryDetail:
        compact = TimeEntry.from_api(data, shared=shared)
        created = data.get("created_at")
        return cls(
            **{name: getattr(compact, name) for name in TimeEntry.__dataclass_fields__},
            description=data.get("description") or "",
            billable_status=data.get("billable_status") or "",
            approval_status=data.get("approval_status") or "",
            task=Reference.from_api(data.get("task")),
            created_at=dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
            if created
            else None,
        )


class SharedRecords:
    """The people, projects and categories met while parsing entries, one object each.

    A page names a handful of each a hundred times. Shared, an answer takes a third of the
    memory and pickles (into the answer cache) twice as fast, and parsing skips building
    the repeats. Looked up by the JSON's values, before any object is built.
    """

    def __init__(self) -> None:
        self._references: dict[tuple[str, str], Reference] = {}
        self._categories: dict[tuple[str, str, str, Any], Category] = {}

    def reference(self, data: dict[str, Any] | None) -> Reference | None:
        if not data:
            return None
        key = (str(data.get("gid", "")), data.get("name") or "")
        found = self._references.get(key)
        if found is None:
            found = self._references[key] = Reference.from_api(data)
        return found

    def category(self, data: dict[str, Any]) -> Category:
        key = (
            str(data["gid"]),
            data.get("name") or "",
            data.get("color") or "none",
            data.get("is_archived"),
        )
        found = self._categories.get(key)
        if found is None:
            found = self._categories[key] = Category.from_api(data)
        return found


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
