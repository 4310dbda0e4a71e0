"""The `opt_fields` each operation accepts: the enums of Asana's OpenAPI spec, verbatim.

A test compares these with the spec file, so a spec update that changes them is noticed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .responses import ApiError

_PAGING = ("offset", "path", "uri")
_CATEGORY = ("color", "is_archived", "name")
_ENTRY = (
    "attributable_to",
    "attributable_to.name",
    "categories",
    "categories.color",
    "categories.name",
    "created_by",
    "created_by.name",
    "duration_minutes",
    "entered_on",
    *_PAGING,
)
_FULL_ENTRY = (
    "approval_status",
    "attributable_to",
    "attributable_to.name",
    "billable_status",
    "categories",
    "categories.color",
    "categories.name",
    "created_at",
    "created_by",
    "created_by.name",
    "description",
    "duration_minutes",
    "entered_on",
    "task",
    "task.created_by",
    "task.name",
    "task.resource_subtype",
)
_MEMBERSHIP = (
    "created_at",
    "is_active",
    "is_admin",
    "is_guest",
    "is_view_only",
    *_PAGING,
    "user",
    "user.name",
    "user_task_list",
    "user_task_list.name",
    "user_task_list.owner",
    "user_task_list.workspace",
    "vacation_dates",
    "vacation_dates.end_on",
    "vacation_dates.start_on",
    "workspace",
    "workspace.name",
)
_CUSTOM_FIELDS = tuple(
    f"custom_fields{suffix}"
    for suffix in (
        "",
        ".date_value",
        ".date_value.date",
        ".date_value.date_time",
        ".display_value",
        ".enabled",
        ".enum_options",
        ".enum_options.color",
        ".enum_options.enabled",
        ".enum_options.name",
        ".enum_value",
        ".enum_value.color",
        ".enum_value.enabled",
        ".enum_value.name",
        ".id_prefix",
        ".input_restrictions",
        ".is_formula_field",
        ".multi_enum_values",
        ".multi_enum_values.color",
        ".multi_enum_values.enabled",
        ".multi_enum_values.name",
        ".name",
        ".number_value",
        ".representation_type",
        ".text_value",
        ".type",
    )
)
_PHOTO = tuple(
    f"photo{suffix}"
    for suffix in (
        "",
        ".image_1024x1024",
        ".image_128x128",
        ".image_21x21",
        ".image_27x27",
        ".image_36x36",
        ".image_60x60",
    )
)

# operationId -> the opt_fields it accepts.
OPT_FIELDS: Mapping[str, frozenset[str]] = {
    "getUser": frozenset(
        (*_CUSTOM_FIELDS, "email", "name", *_PHOTO, "workspaces", "workspaces.name")
    ),
    "getWorkspaces": frozenset(("email_domains", "is_organization", "name", *_PAGING)),
    "getTimeTrackingCategories": frozenset((*_CATEGORY, *_PAGING)),
    "createTimeTrackingCategory": frozenset(_CATEGORY),
    "getTimeTrackingCategory": frozenset(_CATEGORY),
    "updateTimeTrackingCategory": frozenset(_CATEGORY),
    "getTimeTrackingEntriesForTimeTrackingCategory": frozenset(_ENTRY),
    "getTimeTrackingEntries": frozenset(_ENTRY),
    "getTimeTrackingEntry": frozenset(_FULL_ENTRY),
    "updateTimeTrackingEntry": frozenset(_FULL_ENTRY),
    # In the spec, not (yet) served by the sandbox.
    "getWorkspaceMembershipsForUser": frozenset(_MEMBERSHIP),
}


def selected_fields(
    operation: str, opt_fields: str | None, default: Iterable[str]
) -> tuple[str, ...]:
    """The field paths to render: `opt_fields` when given (each one checked), else `default`."""
    if not opt_fields:
        return tuple(default)
    requested = tuple(name.strip() for name in opt_fields.split(",") if name.strip())
    allowed = OPT_FIELDS[operation]
    for name in requested:
        if name not in allowed:
            raise ApiError(400, f'opt_fields: Unknown field "{name}" for {operation}')
    return requested
