"""How sandbox rows become Asana records: compact, full, or exactly what opt_fields asked.

A record always carries `gid` and `resource_type`; the other fields are chosen by a list of
field paths, the same language as `opt_fields`. A dotted path `x.name` gives `x` as
`{gid, name}`; a bare relation `x` gives `x` as its compact record (with resource_type).
Compact and full records are just default path lists, so one renderer serves all three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Relation:
    """A field holding another resource (or, with `many`, a list of them)."""

    resource: Resource
    get: Getter
    many: bool = False


@dataclass(frozen=True)
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


def render(resource: Resource, obj: Any, paths: Iterable[str], *, typed: bool = True) -> dict:
    wanted = _group(paths)
    record: dict[str, Any] = {"gid": obj.gid}
    if typed:
        record["resource_type"] = resource.resource_type
    for name, source in resource.fields.items():
        if name in wanted:
            record[name] = _value(source, obj, wanted[name])
    return record


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


def _value(source: Getter | Relation, obj: Any, wanted: _Wanted) -> Any:
    if not isinstance(source, Relation):
        # A dotted path into a plain value (photo.image_60x60) shows the plain value.
        return source(obj)
    paths = [*wanted.subpaths, *(source.resource.compact if wanted.bare else ())]
    value = source.get(obj)
    if source.many:
        return [render(source.resource, item, paths, typed=wanted.bare) for item in value]
    return None if value is None else render(source.resource, value, paths, typed=wanted.bare)


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
