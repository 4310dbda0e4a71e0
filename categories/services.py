"""Changing categories: every write the views ask for, in the domain's words.

Keyword-only, typed, no HTTP details. Writes go through the audit log; Asana's typed
errors pass through unchanged, for the views to turn into words at one boundary
(categories.web.problems). Two write guards live here: a create whose answer was lost is
looked up before anyone is told to retry (no duplicates), and an edit checks that nobody
changed the category since the form was opened (no lost updates: `EditConflict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import wraps
from typing import Any

from categories.asana import AsanaError, AsanaUnavailable, Category
from categories.audit import audited
from categories.models import AuditEntry
from categories.selectors import with_archived
from categories.web.answer_cache import forget_answers
from categories.web.client import asana_client
from categories.web.problems import SettledUnavailable


def changes_asana(write: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a service that changes Asana: afterwards (whatever the outcome: a failed
    write may still have happened) no cached answer from before it is served."""

    @wraps(write)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return write(*args, **kwargs)
        finally:
            forget_answers()

    return wrapped


@changes_asana
def category_create(*, actor: Any, workspace_gid: str, name: str, color: str) -> Category:
    """Create a category; a create whose answer was lost is settled before anyone retries.

    Returns a `RecoveredCategory` when Asana's answer was lost but its list shows the new
    category (so a retry would have made a duplicate); raises `LostCreateNotFound` when
    the list does not show it and `LostCreateUnverified` when the list cannot be read.
    """
    after = {"name": name, "color": color}
    with audited(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        workspace_gid=workspace_gid,
        category_name=name,
        after=after,
    ) as entry:
        try:
            created = asana_client().create_category(
                workspace_gid=workspace_gid, name=name, color=color
            )
        except AsanaUnavailable as lost:
            if not lost.request_sent:
                raise  # never reached Asana: nothing to settle
            created = confirm_lost_create(
                workspace_gid=workspace_gid, name=name, color=color, lost=lost
            )
        entry.category_gid = created.gid
        entry.after = _snapshot(created)
    return created


@dataclass(frozen=True)
class RecoveredCategory(Category):
    """A created category whose answer was lost and that Asana's list showed afterwards."""


class LostCreateNotFound(SettledUnavailable):
    """A create whose answer was lost, and Asana's list does not show the new category:
    as far as Asana can tell nothing was created, so trying again cannot duplicate it."""

    title = "Nothing was created"
    detail = (
        "Asana did not confirm the new category, and it is not in the workspace's list: "
        "nothing was created. Try again."
    )


class LostCreateUnverified(SettledUnavailable):
    """A create whose answer was lost, and the look-up that should settle it failed too."""

    title = "The category may or may not have been created"
    detail = (
        "Asana did not answer, and checking its list failed too, so the category may or may "
        "not have been created. Look for it in the list before trying again."
    )


def confirm_lost_create(
    *, workspace_gid: str, name: str, color: str, lost: AsanaUnavailable
) -> RecoveredCategory:
    """Look in Asana for the category a create with a lost answer may have made.

    Only a category with the same name (trimmed, any case: Asana's uniqueness rule) and
    the colour we sent counts: one with another colour existed before and is not ours.
    The errors raised keep `lost`'s words and fields, so the audit log records "unknown"
    with Asana's message, as for any unanswered change.
    """
    try:
        found = _find_by_name(workspace_gid=workspace_gid, name=name)
    except AsanaError as lookup_failed:
        raise _retyped(LostCreateUnverified, lost) from lookup_failed
    if found is None or found.color != color:
        raise _retyped(LostCreateNotFound, lost) from lost
    return RecoveredCategory(
        gid=found.gid, name=found.name, color=found.color, is_archived=found.is_archived
    )


def _find_by_name(*, workspace_gid: str, name: str) -> Category | None:
    """Asana's own current list (active and archived), never a cached copy."""
    client = asana_client()
    wanted = name.strip().casefold()
    for archived in (False, True):
        for category in client.iter_categories(workspace_gid=workspace_gid, archived=archived):
            if category.name.strip().casefold() == wanted:
                return with_archived(category, archived)
    return None


def _retyped(kind: type[AsanaUnavailable], error: AsanaUnavailable) -> AsanaUnavailable:
    values = {f.name: getattr(error, f.name) for f in fields(error)}
    return kind(**values)


@dataclass(frozen=True)
class CategoryUpdate:
    """A category as it was just before a save, and as Asana stored it."""

    before: Category
    after: Category

    @property
    def renamed(self) -> bool:
        return self.before.name != self.after.name

    @property
    def recoloured(self) -> bool:
        return self.before.color != self.after.color


@dataclass
class EditConflict(Exception):
    """Someone changed the category in Asana after the edit form was opened.

    `original` is what the form was opened with, `theirs` is Asana's current record and
    `mine` is what the person submitted. Saving would overwrite `theirs` unseen.
    """

    mine: Category
    theirs: Category
    original: Category

    def __str__(self) -> str:
        return f"Category {self.theirs.gid} changed in Asana while it was being edited."


@changes_asana
def category_update(
    *,
    actor: Any,
    workspace_gid: str,
    name: str,
    color: str,
    gid: str = "",
    current: Category | None = None,
    expected: Category | None = None,
) -> CategoryUpdate:
    """Rename and/or recolour a category, sending only what changed.

    Pass `gid` to have Asana's current record read here (or `current` if it was just
    read). With `expected`, the values the edit form was opened with, a category someone
    else changed meanwhile raises `EditConflict` instead of being overwritten; to save
    over their change, the caller passes their values as `expected` (the person saw them).
    """
    if current is None:
        # Straight from Asana, never a cached copy: the guard compares against this.
        current = asana_client().get_category(gid)
    mine = Category(gid=current.gid, name=name, color=color, is_archived=current.is_archived)
    if _same_values(current, mine):
        return CategoryUpdate(before=current, after=current)
    if expected is not None and not _same_values(current, expected):
        raise EditConflict(mine=mine, theirs=current, original=expected)
    new_name = name if name != current.name else None
    new_color = color if color != current.color else None
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
    return CategoryUpdate(before=current, after=updated)


@changes_asana
def category_archive(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=True)


@changes_asana
def category_unarchive(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=False)


@changes_asana
def category_delete(*, actor: Any, workspace_gid: str, category: Category) -> None:
    with audited(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        workspace_gid=workspace_gid,
        category_gid=category.gid,
        category_name=category.name,
        before=_snapshot(category),
    ):
        asana_client().delete_category(category.gid)


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


def _same_values(one: Category, other: Category) -> bool:
    """Same name and colour: what an edit form shows and changes."""
    return (one.name, one.color) == (other.name, other.color)


def _update_action(*, renamed: bool, recoloured: bool) -> str:
    if renamed and recoloured:
        return AuditEntry.Action.UPDATE
    return AuditEntry.Action.RENAME if renamed else AuditEntry.Action.RECOLOUR


def _snapshot(category: Category) -> dict[str, Any]:
    return {"name": category.name, "color": category.color, "is_archived": category.is_archived}
