"""One function per Asana operation the sandbox implements.

Each takes the parsed request (plus path parameters) and returns a response or raises
ApiError. Writes run in `transaction.atomic`, and each is a single UPDATE/INSERT/DELETE
where possible: the sandbox serves several threads over SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from .entry_rows import as_rows, category_entry_rows, entry_rows
from .models import (
    BILLABLE_STATUSES,
    SandboxCategory,
    SandboxEntry,
    SandboxProject,
    SandboxUser,
    SandboxWorkspace,
    name_key,
)
from .pagination import Page, paginate, paginate_with
from .records import CATEGORY, ENTRY, FULL_ENTRY, USER, WORKSPACE, Resource, render
from .request import ApiRequest
from .responses import ApiError, SandboxResponse
from .validation import (
    bad_request,
    bool_param,
    category_color,
    category_name,
    date_param,
    gid_param,
    json_bool,
    referenced,
    required,
)

DUPLICATE_NAME = "A time tracking category with this name already exists in this workspace."
ONE_CATEGORY = "An entry can have at most one time tracking category."
OTHER_WORKSPACE = "The time tracking category must be in the entry's workspace."
LOCKED_ENTRY = (
    "This time entry is on a submitted or approved timesheet; its categories cannot be changed."
)
# What PUT /time_tracking_entries/{gid} may change (UpdateTimeTrackingEntryRequest).
WRITABLE_ENTRY_FIELDS = (
    "categories",
    "duration_minutes",
    "entered_on",
    "attributable_to",
    "billable_status",
    "description",
)
_ENTRY_ORDER = ("entered_on", "id")

# --- categories ------------------------------------------------------------------------


def list_categories(request: ApiRequest) -> SandboxResponse:
    fields = request.fields("getTimeTrackingCategories", CATEGORY.compact)
    workspace = _workspace(request.params)
    # Asana has no "both": absent or false lists the active ones, true the archived ones.
    archived = bool_param(request.params.get("is_archived"), "is_archived") or False
    rows = SandboxCategory.objects.filter(workspace=workspace, is_archived=archived)
    return _page(request, rows, ("id",), CATEGORY, fields)


def create_category(request: ApiRequest) -> SandboxResponse:
    fields = request.fields("createTimeTrackingCategory", CATEGORY.full)
    data = request.data()
    category = SandboxCategory(
        workspace=_workspace(data),
        name=category_name(data.get("name")),
        color=category_color(data.get("color", "none")),
    )
    _save(category)
    return request.answer({"data": render(CATEGORY, category, fields)}, status=201)


def get_category(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("getTimeTrackingCategory", CATEGORY.full)
    return request.answer({"data": render(CATEGORY, _category(gid), fields)})


def update_category(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("updateTimeTrackingCategory", CATEGORY.full)
    category = _category(gid)
    data = request.data()
    if "name" in data:
        category.name = category_name(data["name"])
    if "color" in data:
        category.color = category_color(data["color"])
    if "is_archived" in data:
        category.is_archived = json_bool(data["is_archived"], "is_archived")
    # Only the fields sent are written, so a concurrent edit of another field survives.
    sent = [name for name in ("name", "color", "is_archived") if name in data]
    if sent:
        _save(category, update_fields=sent)
    return request.answer({"data": render(CATEGORY, category, fields)})


def delete_category(request: ApiRequest, gid: str) -> SandboxResponse:
    category = _category(gid)
    with transaction.atomic():
        # The M2M links go with it: entries stay, without this category (as in Asana).
        category.delete()
    return request.answer({"data": {}})


# --- time entries ----------------------------------------------------------------------


def list_category_entries(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("getTimeTrackingEntriesForTimeTrackingCategory", ENTRY.compact)
    category = _category(gid)  # archived categories keep their history, so no filter here
    start = date_param(request.params.get("start_date"), "start_date")
    end = date_param(request.params.get("end_date"), "end_date")
    page = paginate_with(
        category_entry_rows(category, start, end), _ENTRY_ORDER, request.page_query()
    )
    return _answer_page(request, page, ENTRY, fields, prepare=entry_rows)


def list_workspace_entries(request: ApiRequest) -> SandboxResponse:
    fields = request.fields("getTimeTrackingEntries", ENTRY.compact)
    params = request.params
    workspace = _workspace(params)
    start = date_param(params.get("entered_on_start_date"), "entered_on_start_date")
    end = date_param(params.get("entered_on_end_date"), "entered_on_end_date")
    if start is None and end is None:
        raise bad_request(
            "entered_on_start_date",
            "Missing input: give entered_on_start_date, entered_on_end_date or both",
        )
    rows = SandboxEntry.objects.filter(workspace=workspace)
    if params.get("user"):
        rows = rows.filter(created_by=referenced(SandboxUser, params["user"], "user"))
    if params.get("attributable_to"):
        project = referenced(SandboxProject, params["attributable_to"], "attributable_to")
        rows = rows.filter(attributable_to=project)
    rows = _entries_between(rows, start, end)
    return _page(request, rows, _ENTRY_ORDER, ENTRY, fields, prepare=entry_rows)


def get_entry(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("getTimeTrackingEntry", FULL_ENTRY.full)
    return request.answer({"data": render(FULL_ENTRY, _entry(gid), fields)})


def update_entry(request: ApiRequest, gid: str) -> SandboxResponse:
    """Only the fields sent change; `categories` replaces the entry's (at most one)."""
    fields = request.fields("updateTimeTrackingEntry", FULL_ENTRY.full)
    data = request.data()
    for name in data:
        if name not in WRITABLE_ENTRY_FIELDS:
            raise bad_request(name, "Cannot write this property")
    with transaction.atomic():
        entry = _entry(gid, for_update=True)
        sent = _apply_entry_fields(entry, data)
        if sent:
            entry.save(update_fields=sent)
        if "categories" in data:
            _set_categories(entry, data["categories"])
    return request.answer({"data": render(FULL_ENTRY, _entry(gid), fields)})


def _apply_entry_fields(entry: SandboxEntry, data: Mapping[str, Any]) -> list[str]:
    """Set the plain fields sent on `entry`; returns their names."""
    if "duration_minutes" in data:
        minutes = data["duration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            raise bad_request("duration_minutes", "Must be a whole number of minutes")
        entry.duration_minutes = minutes
    if "entered_on" in data:
        day = data["entered_on"]
        parsed = date_param(day if isinstance(day, str) else "", "entered_on")
        if parsed is None:
            raise bad_request("entered_on", "Missing input")
        entry.entered_on = parsed
    if "attributable_to" in data:
        entry.attributable_to = (
            referenced(SandboxProject, data["attributable_to"], "attributable_to")
            if data["attributable_to"] is not None
            else None
        )
    if "billable_status" in data:
        if data["billable_status"] not in BILLABLE_STATUSES:
            raise bad_request("billable_status", f'Invalid enum value "{data["billable_status"]}"')
        entry.billable_status = data["billable_status"]
    if "description" in data:
        if not isinstance(data["description"], str):
            raise bad_request("description", "Must be a string")
        entry.description = data["description"]
    return [name for name in WRITABLE_ENTRY_FIELDS if name in data and name != "categories"]


def _set_categories(entry: SandboxEntry, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(gid, str) for gid in value):
        raise bad_request("categories", "Must be a list of time tracking category gids")
    if len(value) > 1:
        raise bad_request("categories", ONE_CATEGORY)
    wanted = [referenced(SandboxCategory, gid, "categories") for gid in value]
    if any(category.workspace_id != entry.workspace_id for category in wanted):
        raise bad_request("categories", OTHER_WORKSPACE)
    current = sorted(entry.categories.values_list("id", flat=True))
    if current == sorted(category.pk for category in wanted):
        return  # unchanged: a resent write is a no-op, even on an approved timesheet
    if entry.is_locked:
        raise ApiError(403, f"time_tracking_entry: {LOCKED_ENTRY}")
    entry.categories.set(wanted)


# --- users and workspaces --------------------------------------------------------------


def get_user(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("getUser", USER.full)
    user = request.me if gid == "me" else SandboxUser.find(gid_param(gid, "user_gid"))
    if user is None:
        raise ApiError(404, f"user: Unknown object: {gid}")
    return request.answer({"data": render(USER, user, fields)})


def list_workspaces(request: ApiRequest) -> SandboxResponse:
    fields = request.fields("getWorkspaces", WORKSPACE.compact)
    return _page(request, request.me.workspaces.all(), ("id",), WORKSPACE, fields)


# --- helpers ---------------------------------------------------------------------------


def _page(
    request: ApiRequest,
    rows: QuerySet,
    order: tuple[str, ...],
    resource: Resource,
    fields: tuple[str, ...],
    *,
    prepare: Callable[[list[Any]], list[Any]] = list,
) -> SandboxResponse:
    return _answer_page(
        request, paginate(rows, order, request.page_query()), resource, fields, prepare=prepare
    )


def _answer_page(
    request: ApiRequest,
    page: Page,
    resource: Resource,
    fields: tuple[str, ...],
    *,
    prepare: Callable[[list[Any]], list[Any]] = list,
) -> SandboxResponse:
    records = [render(resource, row, fields) for row in prepare(page.items)]
    return request.answer(page.envelope(records))


def _workspace(source: Mapping[str, Any]) -> SandboxWorkspace:
    """The workspace named by the `workspace` parameter or body field of `source`."""
    return referenced(SandboxWorkspace, required(source, "workspace"), "workspace")


def _category(gid: str) -> SandboxCategory:
    category = SandboxCategory.find(gid_param(gid, "time_tracking_category_gid"))
    if category is None:
        raise ApiError(404, f"time_tracking_category: Unknown object: {gid}")
    return category


def _entry(gid: str, *, for_update: bool = False) -> SandboxEntry:
    pk = SandboxEntry.pk_from_gid(gid_param(gid, "time_tracking_entry_gid"))
    rows = SandboxEntry.objects.select_related("created_by", "attributable_to")
    if for_update:
        rows = rows.select_for_update()
    entry = rows.prefetch_related("categories").filter(pk=pk).first() if pk else None
    if entry is None:
        raise ApiError(404, f"time_tracking_entry: Unknown object: {gid}")
    return entry


def _entries_between(
    rows: QuerySet[SandboxEntry], start: dt.date | None, end: dt.date | None
) -> QuerySet[SandboxEntry]:
    if start is not None:
        rows = rows.filter(entered_on__gte=start)
    if end is not None:
        rows = rows.filter(entered_on__lte=end)
    return as_rows(rows)


def _save(category: SandboxCategory, *, update_fields: list[str] | None = None) -> None:
    """Insert or update; the database's unique constraint settles duplicate names."""
    category.name_key = name_key(category.name)
    if update_fields is not None and "name" in update_fields:
        update_fields = [*update_fields, "name_key"]
    try:
        with transaction.atomic():
            category.save(update_fields=update_fields)
    except IntegrityError:
        raise bad_request("name", DUPLICATE_NAME) from None
