"""`PUT /time_tracking_entries/{gid}`: what a request changes, checked as Asana checks it.

Writable are `categories, duration_minutes, entered_on, attributable_to, billable_status,
description`; fields not sent stay as they are (so a concurrent edit of another field
survives). `categories` replaces the entry's categories and holds at most one gid (Asana
allows one category per entry; `[]` leaves it uncategorised), of the entry's workspace.
An archived category is accepted (an undo may put time back into one).

An entry on a SUBMITTED or APPROVED timesheet is locked: a request that would change it is
refused with 403 (the request is well formed, the entry exists, but it may not be changed
now: what Asana's 403 means), naming the field and the timesheet's state. A request that
changes nothing (a retried write that already took effect) is answered 200 even then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from .models import BillableStatus, SandboxCategory, SandboxEntry, SandboxProject
from .responses import ApiError
from .validation import bad_request, date_param, gid_param

WRITABLE = (
    "categories",
    "duration_minutes",
    "entered_on",
    "attributable_to",
    "billable_status",
    "description",
)
READ_ONLY = frozenset(
    {"gid", "resource_type", "created_by", "created_at", "approval_status", "task", "workspace"}
)
MAX_CATEGORIES = 1


@dataclass(frozen=True)
class EntryChange:
    """A checked request: new values by model field, and the categories if sent."""

    fields: dict[str, Any]
    category_ids: tuple[int, ...] | None  # None: `categories` was not sent


def entry_change(entry: SandboxEntry, data: Mapping[str, Any]) -> EntryChange:
    """Check the body's `data` against `entry`; raises ApiError 400 naming the field."""
    for name in data:
        if name in READ_ONLY:
            raise bad_request(name, "Cannot write this property")
        if name not in WRITABLE:
            raise bad_request(name, "Not a writable property of a time tracking entry")
    fields: dict[str, Any] = {}
    if "duration_minutes" in data:
        fields["duration_minutes"] = _duration(data["duration_minutes"])
    if "entered_on" in data:
        fields["entered_on"] = _entered_on(data["entered_on"])
    if "attributable_to" in data:
        fields["attributable_to_id"] = _project_id(entry, data["attributable_to"])
    if "billable_status" in data:
        fields["billable_status"] = _billable_status(data["billable_status"])
    if "description" in data:
        fields["description"] = _description(data["description"])
    categories = _category_ids(entry, data["categories"]) if "categories" in data else None
    return EntryChange(fields, categories)


def entry_apply(pk: int, change: EntryChange) -> bool:
    """Apply `change` to the entry in one transaction; False when the entry is gone.

    Raises ApiError 403 when the change would alter an entry on a locked timesheet."""
    links = SandboxEntry.categories.through
    with transaction.atomic():
        # The entry's row is written first: its write lock (PostgreSQL's row lock, SQLite's
        # database lock) makes concurrent PUTs of one entry apply one after the other, so
        # two "replace the category" writes can never leave the entry with both.
        if not SandboxEntry.objects.filter(pk=pk).update(workspace_id=F("workspace_id")):
            return False
        entry = SandboxEntry.objects.get(pk=pk)
        fields = {name: v for name, v in change.fields.items() if getattr(entry, name) != v}
        current = links.objects.filter(sandboxentry_id=pk).values_list(
            "sandboxcategory_id", flat=True
        )
        wanted = change.category_ids
        recategorise = wanted is not None and set(wanted) != set(current)
        if not (fields or recategorise):
            return True
        if entry.is_locked:
            raise _locked(entry, "categories" if recategorise else _field_name(next(iter(fields))))
        if fields:
            SandboxEntry.objects.filter(pk=pk).update(**fields)
        if recategorise:
            assert wanted is not None
            links.objects.filter(sandboxentry_id=pk).delete()
            links.objects.bulk_create(
                [links(sandboxentry_id=pk, sandboxcategory_id=c) for c in wanted]
            )
    return True


def _locked(entry: SandboxEntry, field: str) -> ApiError:
    state = entry.approval_status.lower()
    return ApiError(
        403,
        f"{field}: This time tracking entry's timesheet is {state}, so the entry is locked; "
        "it can be changed once the timesheet is rejected or reopened.",
    )


def _field_name(model_field: str) -> str:
    return model_field.removesuffix("_id")


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("duration_minutes", f"Not an integer: {value!r}")
    if value < 1:
        raise bad_request("duration_minutes", f"Must be at least 1, got {value}")
    return value


def _entered_on(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise bad_request("entered_on", "Missing input" if not value else "Must be a date string")
    return date_param(value, "entered_on")


def _project_id(entry: SandboxEntry, value: Any) -> int | None:
    if value is None:
        return None  # no project
    project = SandboxProject.find(gid_param(value, "attributable_to"))
    if project is None:
        raise bad_request("attributable_to", f"Not a recognized ID: {value}")
    if project.workspace_id != entry.workspace_id:
        raise bad_request("attributable_to", f"The project {value} is not in the entry's workspace")
    return project.pk


def _billable_status(value: Any) -> str:
    if value not in BillableStatus.values:
        choices = ", ".join(BillableStatus.values)
        raise bad_request(
            "billable_status", f'Invalid enum value "{value}". Expected one of: {choices}'
        )
    return value


def _description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request("description", "Must be a string")
    return value


def _category_ids(entry: SandboxEntry, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise bad_request("categories", "Must be an array of time tracking category gids")
    if len(value) > MAX_CATEGORIES:
        raise bad_request(
            "categories",
            f"A time tracking entry can have at most {MAX_CATEGORIES} category, got {len(value)}",
        )
    ids = []
    for gid in value:
        category = SandboxCategory.find(gid_param(gid, "categories"))
        if category is None:
            raise bad_request("categories", f"Not a recognized ID: {gid}")
        if category.workspace_id != entry.workspace_id:
            raise bad_request(
                "categories",
                f"The time tracking category {gid} is not in the entry's workspace",
            )
        ids.append(category.pk)
    return tuple(ids)
