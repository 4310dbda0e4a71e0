"""How sandbox rows become Asana records: compact, full, or exactly what opt_fields asked.

A record always carries `gid` and `resource_type`; the other fields are chosen by a list of
field paths, the same language as `opt_fields`. A dotted path `x.name` gives `x` as
`{gid, name}`; a bare relation `x` gives `x` as its compact record (with resource_type).
Compact and full records are just default path lists, so one renderer serves all three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Relation:
    """A field holding another resource (or, with `many`, a list of them)."""

    resource: Resource
    get: Getter
    many: bool = False


@dataclass(frozen=True, eq=False)  # hashed by identity: render plans are cached per resource
class Resource:
    resource_type: str
    # In output order: a getter for a plain value, or a Relation.
    fields: dict[str, Getter | Relation]
    compact: tuple[str, ...]
    full: tuple[str, ...]


@dataclass
class _Wanted:
    bare: bool = False
    subpaths: list[str] = field(default_factory=list)


# One field of a compiled plan: its name, a getter, and for a relation how to render what
# the getter returns (None for a plain value).
_Step = tuple[str, Getter, "_Nested | None"]


@dataclass(frozen=True)
class _Nested:
    plan: _Plan
    many: bool


@dataclass(frozen=True)
class _Plan:
    resource_type: str | None  # None: the record carries no resource_type
    steps: tuple[_Step, ...]


def render(resource: Resource, obj: Any, paths: Iterable[str], *, typed: bool = True) -> dict:
    return _apply(_plan(resource, tuple(paths), typed), obj)


def _apply(plan: _Plan, obj: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"gid": obj.gid}
    if plan.resource_type is not None:
        record["resource_type"] = plan.resource_type
    for name, get, nested in plan.steps:
        value = get(obj)
        if nested is None or value is None:
            record[name] = value
        elif nested.many:
            record[name] = [_apply(nested.plan, item) for item in value]
        else:
            record[name] = _apply(nested.plan, value)
    return record


@lru_cache(maxsize=256)
def _plan(resource: Resource, paths: tuple[str, ...], typed: bool) -> _Plan:
    """Which fields a record of `resource` shows for `paths`, worked out once per request
    shape: a page renders a hundred records the same way."""
    wanted = _group(paths)
    steps: list[_Step] = []
    for name, source in resource.fields.items():
        if name not in wanted:
            continue
        if not isinstance(source, Relation):
            # A dotted path into a plain value (photo.image_60x60) shows the plain value.
            steps.append((name, source, None))
            continue
        subpaths = (*wanted[name].subpaths, *(source.resource.compact if wanted[name].bare else ()))
        nested = _Nested(_plan(source.resource, subpaths, wanted[name].bare), source.many)
        steps.append((name, source.get, nested))
    return _Plan(resource.resource_type if typed else None, tuple(steps))


def _group(paths: Iterable[str]) -> dict[str, _Wanted]:
    wanted: dict[str, _Wanted] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        entry = wanted.setdefault(head, _Wanted())
        if rest:
            entry.subpaths.append(rest)
        else:
            entry.bare = True
    return wanted


WORKSPACE = Resource(
    "workspace",
    {
        "name": lambda w: w.name,
        "email_domains": lambda w: [w.email_domain] if w.email_domain else [],
        "is_organization": lambda w: bool(w.email_domain),
    },
    compact=("name",),
    full=("name", "email_domains", "is_organization"),
)

USER = Resource(
    "user",
    {
        "name": lambda u: u.name,
        "email": lambda u: u.email,
        "photo": lambda u: None,
        "workspaces": Relation(WORKSPACE, lambda u: u.workspaces.order_by("id"), many=True),
        "custom_fields": lambda u: [],
    },
    compact=("name",),
    full=("name", "email", "photo", "workspaces"),
)

PROJECT = Resource("project", {"name": lambda p: p.name}, compact=("name",), full=("name",))

CATEGORY = Resource(
    "time_tracking_category",
    {
        "name": lambda c: c.name,
        "color": lambda c: c.color,
        "is_archived": lambda c: c.is_archived,
    },
    compact=("name", "color"),
    full=("name", "color", "is_archived"),
)

_ENTRY_FIELDS = (
    "duration_minutes",
    "entered_on",
    "attributable_to.name",
    "created_by.name",
    "categories.name",
    "categories.color",
)

ENTRY = Resource(
    "time_tracking_entry",
    {
        "duration_minutes": lambda e: e.duration_minutes,
        "entered_on": lambda e: e.entered_on.isoformat(),
        "attributable_to": Relation(PROJECT, lambda e: e.attributable_to),
        "created_by": Relation(USER, lambda e: e.created_by),
        # Entries are served as plain rows (entry_rows.py) with their categories in order.
        "categories": Relation(CATEGORY, lambda e: e.categories, many=True),
    },
    compact=_ENTRY_FIELDS,
    full=_ENTRY_FIELDS,
)


@dataclass(frozen=True, slots=True)
class _Task:
    gid: str
    name: str
    created_by: Any


TASK = Resource(
    "task",
    {
        "name": lambda t: t.name,
        "resource_subtype": lambda t: "default_task",
        "created_by": Relation(USER, lambda t: t.created_by),
    },
    compact=("name",),
    full=("name", "resource_subtype", "created_by"),
)


def _task_of(entry: Any) -> _Task | None:
    if not entry.task_name:
        return None
    return _Task(entry.task_gid, entry.task_name, entry.created_by)


def _created_at(entry: Any) -> str:
    # Rows from before the column existed were logged on their day.
    stamp = entry.created_at
    if stamp is None:
        return f"{entry.entered_on.isoformat()}T17:00:00.000Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


# One entry as a model instance (GET/PUT of one entry): the compact fields and the full
# record's own. Its categories come from the instance's (prefetched) relation.
FULL_ENTRY = Resource(
    "time_tracking_entry",
    {
        **{name: get for name, get in ENTRY.fields.items() if name != "categories"},
        "categories": Relation(
            CATEGORY, lambda e: sorted(e.categories.all(), key=lambda c: c.pk), many=True
        ),
        "task": Relation(TASK, _task_of),
        "created_at": _created_at,
        "approval_status": lambda e: e.approval_status,
        "billable_status": lambda e: e.billable_status,
        "description": lambda e: e.description,
    },
    compact=_ENTRY_FIELDS,
    full=(
        *_ENTRY_FIELDS,
        "task.name",
        "created_at",
        "approval_status",
        "billable_status",
        "description",
    ),
)
