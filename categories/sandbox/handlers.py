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

from .entry_rows import as_rows, category_entry_rows, entry_detail, entry_rows
from .entry_updates import entry_apply, entry_change
from .models import (
    ApprovalStatus,
    SandboxCategory,
    SandboxEntry,
    SandboxProject,
    SandboxTask,
    SandboxUser,
    SandboxWorkspace,
    name_key,
)
from .pagination import Page, paginate, paginate_with
from .records import CATEGORY, ENTRY, MEMBERSHIP, USER, WORKSPACE, Membership, Resource, render
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
    if params.get("portfolio"):
        raise bad_request("portfolio", "Portfolios are not part of the sandbox")
    rows = SandboxEntry.objects.filter(workspace=workspace)
    if params.get("user"):
        rows = rows.filter(created_by=referenced(SandboxUser, params["user"], "user"))
    if params.get("attributable_to"):
        project = referenced(SandboxProject, params["attributable_to"], "attributable_to")
        rows = rows.filter(attributable_to=project)
    if params.get("task"):
        rows = rows.filter(task=referenced(SandboxTask, params["task"], "task"))
    if params.get("timesheet_approval_status"):
        rows = rows.filter(approval_status=_approval_status(params["timesheet_approval_status"]))
    rows = _entries_between(rows, start, end)
    # Ordered by (entered_on, gid) with keyset offsets: pages of one query, and the
    # queries of disjoint date windows, neither lose nor repeat an entry.
    return _page(request, rows, _ENTRY_ORDER, ENTRY, fields, prepare=entry_rows)


def get_entry(request: ApiRequest, gid: str) -> SandboxResponse:
    fields = request.fields("getTimeTrackingEntry", ENTRY.full)
    entry = _entry(gid)
    return request.answer({"data": render(ENTRY, entry_detail(entry.pk), fields)})


def update_entry(request: ApiRequest, gid: str) -> SandboxResponse:
    """Only the fields sent change; `categories` replaces (at most one); see entry_updates."""
    fields = request.fields("updateTimeTrackingEntry", ENTRY.full)
    entry = _entry(gid)
    change = entry_change(entry, request.data())
    if not entry_apply(entry.pk, change):
        raise _unknown_entry(gid)
    return request.answer({"data": render(ENTRY, entry_detail(entry.pk), fields)})


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


def list_workspace_memberships(request: ApiRequest, gid: str) -> SandboxResponse:
    """The user's memberships, one per workspace, with `is_admin` and `is_guest` (the
    dashboard's roles)."""
    fields = request.fields("getWorkspaceMembershipsForUser", MEMBERSHIP.compact)
    user = request.me if gid == "me" else SandboxUser.find(gid_param(gid, "user_gid"))
    if user is None:
        raise ApiError(404, f"user: Unknown object: {gid}")
    links = SandboxUser.workspaces.through.objects.filter(sandboxuser=user)
    page = paginate(links, ("id",), request.page_query())
    admin_of = set(user.admin_of.values_list("id", flat=True))
    guest_of = set(user.guest_of.values_list("id", flat=True))
    workspaces = SandboxWorkspace.objects.in_bulk([link.sandboxworkspace_id for link in page.items])
    memberships = [
        Membership(
            pk=link.pk,
            user=user,
            workspace=workspaces[link.sandboxworkspace_id],
            is_admin=link.sandboxworkspace_id in admin_of,
            is_guest=link.sandboxworkspace_id in guest_of,
        )
        for link in page.items
    ]
    return request.answer(page.envelope([render(MEMBERSHIP, m, fields) for m in memberships]))


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


def _entry(gid: str) -> SandboxEntry:
    entry = SandboxEntry.find(gid_param(gid, "time_tracking_entry_gid"))
    if entry is None:
        raise _unknown_entry(gid)
    return entry


def _unknown_entry(gid: str) -> ApiError:
    return ApiError(404, f"time_tracking_entry: Unknown object: {gid}")


def _approval_status(value: str) -> str:
    status = value.upper()
    if status not in ApprovalStatus.values:
        choices = ", ".join(s.lower() for s in ApprovalStatus.values)
        raise bad_request(
            "timesheet_approval_status", f'Invalid enum value "{value}". Expected one of: {choices}'
        )
    return status


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
