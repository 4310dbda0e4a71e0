"""What the views ask for, in the domain's words. Keyword-only, typed, no HTTP details.

Writes go through the audit log; Asana's typed errors pass through unchanged, for the
view layer to turn into words at one boundary (categories/errors.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from categories.asana import Category, TimeEntry, User, Workspace
from categories.audit import audited
from categories.connection import asana_client
from categories.models import AuditEntry

CategoryState = Literal["active", "archived", "all"]
CATEGORY_STATES: tuple[CategoryState, ...] = ("active", "archived", "all")


# --- who and where ---------------------------------------------------------------------


def current_user() -> User:
    return asana_client().me()


def list_workspaces() -> list[Workspace]:
    return list(asana_client().iter_workspaces())


# --- categories ------------------------------------------------------------------------


def list_categories(
    *, workspace_gid: str, state: CategoryState = "active", search: str = ""
) -> list[Category]:
    """Every category in the state (all of Asana's pages), sorted by name."""
    client = asana_client()
    found: list[Category] = []
    # Asana has no "both" filter: "all" is the active list plus the archived list.
    for archived in _archived_flags(state):
        for category in client.iter_categories(workspace_gid=workspace_gid, archived=archived):
            # The list answer may omit is_archived; the query we sent says what it is.
            found.append(_with_archived(category, archived))
    needle = search.strip().casefold()
    if needle:
        found = [c for c in found if needle in c.name.casefold()]
    return sorted(found, key=lambda c: (c.name.casefold(), c.gid))


def get_category(*, gid: str) -> Category:
    return asana_client().get_category(gid)


def create_category(*, actor: Any, workspace_gid: str, name: str, color: str) -> Category:
    after = {"name": name, "color": color}
    with audited(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        workspace_gid=workspace_gid,
        category_name=name,
        after=after,
    ) as entry:
        created = asana_client().create_category(
            workspace_gid=workspace_gid, name=name, color=color
        )
        entry.category_gid = created.gid
        entry.after = _snapshot(created)
    return created


def update_category(
    *, actor: Any, workspace_gid: str, current: Category, name: str, color: str
) -> Category:
    """Rename and/or recolour `current`, sending only what changed."""
    new_name = name if name != current.name else None
    new_color = color if color != current.color else None
    if new_name is None and new_color is None:
        return current
    action = _update_action(renamed=new_name is not None, recoloured=new_color is not None)
    with audited(
        actor=actor,
        action=action,
        workspace_gid=workspace_gid,
        category_gid=current.gid,
        category_name=current.name,
        before={"name": current.name, "color": current.color},
        after={"name": name, "color": color},
    ) as entry:
        updated = asana_client().update_category(current.gid, name=new_name, color=new_color)
        entry.after = _snapshot(updated)
    return updated


def archive_category(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=True)


def unarchive_category(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=False)


def delete_category(*, actor: Any, workspace_gid: str, category: Category) -> None:
    with audited(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        workspace_gid=workspace_gid,
        category_gid=category.gid,
        category_name=category.name,
        before=_snapshot(category),
    ):
        asana_client().delete_category(category.gid)


# --- time entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class EntriesReport:
    """Every entry of one category in a date range, with its totals."""

    category_gid: str
    start: dt.date
    end: dt.date
    entries: list[TimeEntry]

    @property
    def total_minutes(self) -> int:
        return sum(entry.duration_minutes for entry in self.entries)

    @property
    def entry_count(self) -> int:
        return len(self.entries)


def entries_report(*, category_gid: str, start: dt.date, end: dt.date) -> EntriesReport:
    """All of Asana's pages for the range; the totals are the sum of exactly these."""
    entries = list(
        asana_client().iter_category_entries(category_gid, start_date=start, end_date=end)
    )
    return EntriesReport(category_gid=category_gid, start=start, end=end, entries=entries)


# --- helpers ---------------------------------------------------------------------------


def _archived_flags(state: CategoryState) -> tuple[bool, ...]:
    return {"active": (False,), "archived": (True,), "all": (False, True)}[state]


def _with_archived(category: Category, archived: bool) -> Category:
    if category.is_archived is not None:
        return category
    return Category(
        gid=category.gid, name=category.name, color=category.color, is_archived=archived
    )


def _set_archived(*, actor: Any, workspace_gid: str, gid: str, archived: bool) -> Category:
    client = asana_client()
    current = client.get_category(gid)
    action = AuditEntry.Action.ARCHIVE if archived else AuditEntry.Action.UNARCHIVE
    with audited(
        actor=actor,
        action=action,
        workspace_gid=workspace_gid,
        category_gid=gid,
        category_name=current.name,
        before={"is_archived": current.is_archived},
        after={"is_archived": archived},
    ) as entry:
        updated = client.update_category(gid, is_archived=archived)
        entry.after = {"is_archived": updated.is_archived}
    return updated


def _update_action(*, renamed: bool, recoloured: bool) -> str:
    if renamed and recoloured:
        return AuditEntry.Action.UPDATE
    return AuditEntry.Action.RENAME if renamed else AuditEntry.Action.RECOLOUR


def _snapshot(category: Category) -> dict[str, Any]:
    return {"name": category.name, "color": category.color, "is_archived": category.is_archived}
