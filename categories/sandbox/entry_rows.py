"""Entries read as plain rows instead of model objects.

A page of 100 entries with their user, project and categories would otherwise build about
400 model instances; the sandbox answers every report and benchmark page this way, and
that object-building was most of its time per page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import SandboxCategory, SandboxEntry, SandboxProject, SandboxUser

# What a page query selects; the pagination keyset fields (entered_on, id) are among them.
ROW_FIELDS = (
    "id",
    "entered_on",
    "duration_minutes",
    "created_by_id",
    "created_by__name",
    "attributable_to_id",
    "attributable_to__name",
)


@dataclass(frozen=True, slots=True)
class Ref:
    """A user or project as an entry shows it: gid and name."""

    gid: str
    name: str


@dataclass(frozen=True, slots=True)
class CategoryRef:
    gid: str
    name: str
    color: str


@dataclass(frozen=True, slots=True)
class EntryRow:
    gid: str
    entered_on: dt.date
    duration_minutes: int
    created_by: Ref | None
    attributable_to: Ref | None
    categories: tuple[CategoryRef, ...]


def as_rows(entries: QuerySet[SandboxEntry]) -> QuerySet:
    return entries.values(*ROW_FIELDS)


def entry_rows(page: list[dict[str, Any]]) -> list[EntryRow]:
    """Turn one page of `as_rows` dicts into records, with one query for their categories."""
    categories = _categories_by_entry([row["id"] for row in page])
    return [
        EntryRow(
            gid=SandboxEntry.gid_for(row["id"]),
            entered_on=row["entered_on"],
            duration_minutes=row["duration_minutes"],
            created_by=_ref(SandboxUser, row["created_by_id"], row["created_by__name"]),
            attributable_to=_ref(
                SandboxProject, row["attributable_to_id"], row["attributable_to__name"]
            ),
            categories=tuple(categories.get(row["id"], ())),
        )
        for row in page
    ]


def _categories_by_entry(entry_ids: list[int]) -> dict[int, list[CategoryRef]]:
    through = SandboxEntry.categories.through
    links = (
        through.objects.filter(sandboxentry_id__in=entry_ids)
        .order_by("sandboxcategory_id")
        .values_list(
            "sandboxentry_id",
            "sandboxcategory_id",
            "sandboxcategory__name",
            "sandboxcategory__color",
        )
    )
    found: dict[int, list[CategoryRef]] = defaultdict(list)
    for entry_id, category_id, name, color in links:
        found[entry_id].append(CategoryRef(SandboxCategory.gid_for(category_id), name, color))
    return found


def _ref(model: type[SandboxUser | SandboxProject], pk: int | None, name: str | None) -> Ref | None:
    return None if pk is None else Ref(model.gid_for(pk), name or "")
