"""Entries read as plain rows instead of model objects.

A page of 100 entries with their user, project and categories would otherwise build about
400 model instances; the sandbox answers every report and benchmark page this way, and
that object-building was most of its time per page. A category's entries, the request
every report sends most, are read with hand-written SQL: compiling the ORM's query cost
more than running it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from .models import SandboxCategory, SandboxEntry, SandboxProject, SandboxTask, SandboxUser
from .pagination import FetchRows

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


@dataclass(frozen=True, slots=True)
class TaskRef:
    gid: str
    name: str
    resource_subtype: str
    created_by: Ref | None


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """One entry with everything its full record shows (GET and PUT of one entry)."""

    gid: str
    workspace_id: int
    entered_on: dt.date
    duration_minutes: int
    created_by: Ref | None
    attributable_to: Ref | None
    categories: tuple[CategoryRef, ...]
    task: TaskRef | None
    created_at: dt.datetime
    approval_status: str
    billable_status: str
    description: str


def entry_detail(pk: int) -> EntryDetail:
    """The full record of the entry with primary key `pk`, as stored now."""
    entry = SandboxEntry.objects.select_related(
        "created_by", "attributable_to", "task__created_by"
    ).get(pk=pk)
    project = entry.attributable_to
    return EntryDetail(
        gid=entry.gid,
        workspace_id=entry.workspace_id,
        entered_on=entry.entered_on,
        duration_minutes=entry.duration_minutes,
        created_by=Ref(entry.created_by.gid, entry.created_by.name),
        attributable_to=None if project is None else Ref(project.gid, project.name),
        categories=tuple(_categories_by_entry([pk]).get(pk, ())),
        task=_task_ref(entry.task),
        created_at=entry.created_at,
        approval_status=entry.approval_status,
        billable_status=entry.billable_status,
        description=entry.description,
    )


def _task_ref(task: SandboxTask | None) -> TaskRef | None:
    if task is None:
        return None
    creator = task.created_by
    return TaskRef(
        gid=task.gid,
        name=task.name,
        resource_subtype=task.resource_subtype,
        created_by=None if creator is None else Ref(creator.gid, creator.name),
    )


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


def category_entry_rows(
    category: SandboxCategory, start: dt.date | None, end: dt.date | None
) -> FetchRows:
    """Reads the category's entries in start..end as `as_rows` would, in (entered_on, id)
    order. An entry and its categories share a workspace (as in Asana), so the
    (workspace, entered_on, id) index narrows the dates before the category is checked."""
    conditions = [f"e.{_q('workspace_id')} = %s", _has_category()]
    params: list[Any] = [category.workspace_id, category.pk]
    if start is not None:
        conditions.append(f"e.{_q('entered_on')} >= %s")
        params.append(start)
    if end is not None:
        conditions.append(f"e.{_q('entered_on')} <= %s")
        params.append(end)

    def fetch(after: Sequence[Any] | None, count: int) -> list[dict[str, Any]]:
        where, values = list(conditions), list(params)
        if after is not None:
            day, pk = dt.date.fromisoformat(after[0]), after[1]
            where.append(
                f"(e.{_q('entered_on')} > %s OR (e.{_q('entered_on')} = %s AND e.id > %s))"
            )
            values += [day, day, pk]
        order = f"ORDER BY e.{_q('entered_on')}, e.id LIMIT %s"
        sql = f"{_select_rows()} WHERE {' AND '.join(where)} {order}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, count])
            return [_row_dict(row) for row in cursor.fetchall()]

    return fetch


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _select_rows() -> str:
    # Identifiers come from the models' metadata; every value is a query parameter.
    return (
        f"SELECT e.id, e.{_q('entered_on')}, e.{_q('duration_minutes')},"  # noqa: S608
        f" e.{_q('created_by_id')},"
        f" u.{_q('name')}, e.{_q('attributable_to_id')}, p.{_q('name')}"
        f" FROM {_q(SandboxEntry._meta.db_table)} e"
        f" JOIN {_q(SandboxUser._meta.db_table)} u ON u.id = e.{_q('created_by_id')}"
        f" LEFT JOIN {_q(SandboxProject._meta.db_table)} p"
        f" ON p.id = e.{_q('attributable_to_id')}"
    )


@cache
def _links() -> str:
    return _q(SandboxEntry.categories.through._meta.db_table)


@cache
def _has_category() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {_links()} link"  # noqa: S608 - identifiers from model metadata
        f" WHERE link.{_q('sandboxentry_id')} = e.id"
        f" AND link.{_q('sandboxcategory_id')} = %s)"
    )


def _row_dict(row: Sequence[Any]) -> dict[str, Any]:
    values = dict(zip(ROW_FIELDS, row, strict=True))
    day = values["entered_on"]
    # A date from Django's database backends (its SQLite converters too); text otherwise.
    values["entered_on"] = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    return values


def _categories_by_entry(entry_ids: list[int]) -> dict[int, list[CategoryRef]]:
    if not entry_ids:
        return {}
    marks = ", ".join(["%s"] * len(entry_ids))
    sql = (
        f"SELECT link.{_q('sandboxentry_id')}, c.id, c.{_q('name')}, c.{_q('color')}"  # noqa: S608
        f" FROM {_links()} link"
        f" JOIN {_q(SandboxCategory._meta.db_table)} c ON c.id = link.{_q('sandboxcategory_id')}"
        f" WHERE link.{_q('sandboxentry_id')} IN ({marks}) ORDER BY c.id"
    )
    found: dict[int, list[CategoryRef]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, entry_ids)
        for entry_id, category_id, name, color in cursor.fetchall():
            found[entry_id].append(CategoryRef(SandboxCategory.gid_for(category_id), name, color))
    return found


def _ref(model: type[SandboxUser | SandboxProject], pk: int | None, name: str | None) -> Ref | None:
    return None if pk is None else Ref(model.gid_for(pk), name or "")
