"""What the views ask for, in the domain's words. Keyword-only, typed, no HTTP details.

Writes go through the audit log; Asana's typed errors pass through unchanged, for the
view layer to turn into words at one boundary (categories/errors.py). Two write guards
live here: a create whose answer was lost is looked up before anyone is told to retry
(no duplicates), and an edit checks that nobody changed the category since the form was
opened (no lost updates: `EditConflict`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import wraps
from typing import Any, Literal

from categories.answer_cache import cached, cached_together, forget_answers
from categories.asana import (
    AsanaError,
    AsanaUnavailable,
    Category,
    TimeEntry,
)
from categories.audit import audited
from categories.connection import asana_client, asana_executor
from categories.models import AuditEntry

CategoryState = Literal["active", "archived", "all"]
CATEGORY_STATES: tuple[CategoryState, ...] = ("active", "archived", "all")

EntrySort = Literal[
    "-date", "date", "person", "-person", "project", "-project", "duration", "-duration"
]
ENTRY_SORTS: tuple[EntrySort, ...] = (
    "-date",
    "date",
    "person",
    "-person",
    "project",
    "-project",
    "duration",
    "-duration",
)
DEFAULT_ENTRY_SORT: EntrySort = "-date"


# --- categories ------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryListing:
    """The categories a tab shows, and when Asana gave them."""

    categories: list[Category]
    as_of: dt.datetime


def list_categories(
    *,
    workspace_gid: str,
    state: CategoryState = "active",
    search: str = "",
    refresh: bool = False,
) -> CategoryListing:
    """Every category in the state (all of Asana's pages), sorted by name.

    Asana's answer is reused for a short while (ASANA_CACHE_SECONDS) unless `refresh`;
    the search runs on it here, so typing a search costs no round trip.
    """
    fresh = cached(
        workspace_gid=workspace_gid,
        what="categories",
        params=(state,),
        fetch=lambda: _fetch_categories(workspace_gid=workspace_gid, state=state),
        refresh=refresh,
    )
    found = [c for c in fresh.value if _name_matches(c.name, search)]
    return CategoryListing(categories=found, as_of=fresh.as_of)


def _fetch_categories(*, workspace_gid: str, state: CategoryState) -> list[Category]:
    client = asana_client()
    found: list[Category] = []
    # Asana has no "both" filter: "all" is the active list plus the archived list.
    for archived in _archived_flags(state):
        for category in client.iter_categories(workspace_gid=workspace_gid, archived=archived):
            # The list answer may omit is_archived; the query we sent says what it is.
            found.append(_with_archived(category, archived))
    return sorted(found, key=lambda c: (c.name.casefold(), c.gid))


@dataclass(frozen=True)
class CategoryFilter:
    """Which categories a list shows: one state tab and an optional name search."""

    state: CategoryState = "active"
    search: str = ""

    def includes(self, category: Category) -> bool:
        """Whether `category` belongs in this list (decides where a changed row goes)."""
        if self.state == "active" and category.is_archived:
            return False
        if self.state == "archived" and not category.is_archived:
            return False
        return _name_matches(category.name, self.search)


def get_category(*, gid: str, reuse: bool = False, refresh: bool = False) -> Category:
    """The category as Asana has it now. Read-only screens may `reuse` a recent answer;
    anything that edits (forms, conflict checks) always asks Asana."""
    if not reuse:
        return asana_client().get_category(gid)
    return cached(
        workspace_gid="",
        what="category",
        params=(gid,),
        fetch=lambda: asana_client().get_category(gid),
        refresh=refresh,
    ).value


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
def create_category(*, actor: Any, workspace_gid: str, name: str, color: str) -> Category:
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


class LostCreateNotFound(AsanaUnavailable):
    """A create whose answer was lost, and Asana's list does not show the new category:
    as far as Asana can tell nothing was created, so trying again cannot duplicate it."""


class LostCreateUnverified(AsanaUnavailable):
    """A create whose answer was lost, and the look-up that should settle it failed too."""


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
                return _with_archived(category, archived)
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
def update_category(
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
def archive_category(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=True)


@changes_asana
def unarchive_category(*, actor: Any, workspace_gid: str, gid: str) -> Category:
    return _set_archived(actor=actor, workspace_gid=workspace_gid, gid=gid, archived=False)


@changes_asana
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
    """Every entry of one category in a date range, in the order asked for, with totals."""

    category_gid: str
    start: dt.date
    end: dt.date
    entries: list[TimeEntry]
    sort: EntrySort = DEFAULT_ENTRY_SORT
    as_of: dt.datetime | None = None

    @property
    def total_minutes(self) -> int:
        return sum(entry.duration_minutes for entry in self.entries)

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    def rows(self, *, first: int = 0, last: int | None = None) -> list[TimeEntry]:
        """A slice of the sorted entries: what one screenful (or "load more") shows."""
        return self.entries[first:last]


def entries_report(
    *,
    category_gid: str,
    start: dt.date,
    end: dt.date,
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    refresh: bool = False,
) -> EntriesReport:
    """All of Asana's pages for the range; the totals are the sum of exactly these.

    Sorting needs every entry, so the whole range is fetched even when the screen shows
    only the first hundred rows. Long ranges are fetched as date windows side by side;
    the answer is reused briefly (so "load more" and re-sorting cost no round trip).
    """
    (report,) = entries_reports(
        category_gid=category_gid, spans=[(start, end)], sort=sort, refresh=refresh
    )
    return report


def entries_reports(
    *,
    category_gid: str,
    spans: Sequence[tuple[dt.date, dt.date]],
    sort: EntrySort = DEFAULT_ENTRY_SORT,
    refresh: bool = False,
) -> list[EntriesReport]:
    """`entries_report` for several ranges of one category, in the order given.

    The ranges not cached are fetched in one sweep of date windows over the days they
    span, and each keeps its own entries: a range and the period before it (the change
    on the entries screen) cost one set of concurrent requests, not two. Ranges with days
    between them are fetched apart (one after another), so those days are never asked for.
    """

    def fetch(missing: list[int]) -> list[list[TimeEntry]]:
        return _fetch_entries_of_spans(category_gid, [spans[index] for index in missing])

    answers = cached_together(
        workspace_gid="",
        what="entries",
        params=[(category_gid, start.isoformat(), end.isoformat()) for start, end in spans],
        fetch=fetch,
        refresh=refresh,
    )
    return [
        EntriesReport(
            category_gid=category_gid,
            start=start,
            end=end,
            entries=sort_entries(fresh.value, sort=sort),
            sort=sort,
            as_of=fresh.as_of,
        )
        for (start, end), fresh in zip(spans, answers, strict=True)
    ]


def _fetch_entries_of_spans(
    category_gid: str, spans: list[tuple[dt.date, dt.date]]
) -> list[list[TimeEntry]]:
    if not _without_gaps(spans):
        return [_fetch_entries(category_gid=category_gid, start=s, end=e) for s, e in spans]
    fetched = _fetch_entries(
        category_gid=category_gid,
        start=min(start for start, _ in spans),
        end=max(end for _, end in spans),
    )
    return [
        [entry for entry in fetched if start <= entry.entered_on <= end] for start, end in spans
    ]


def _without_gaps(spans: list[tuple[dt.date, dt.date]]) -> bool:
    """Whether the ranges together cover every day from the first start to the last end
    (they adjoin or overlap), so one query over those days asks for nothing extra."""
    ordered = sorted(spans)
    covered_until = ordered[0][1]
    for start, end in ordered[1:]:
        if start > covered_until + dt.timedelta(days=1):
            return False
        covered_until = max(covered_until, end)
    return True


# One window per fortnight of the range, at most this many: enough to fetch a two-year
# report in a few round trips, few enough to stay far inside Asana's concurrency limit.
MAX_DATE_WINDOWS = 12
DAYS_PER_WINDOW = 14


def date_windows_for(start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    return max(1, min(MAX_DATE_WINDOWS, -(-days // DAYS_PER_WINDOW)))


def _fetch_entries(*, category_gid: str, start: dt.date, end: dt.date) -> list[TimeEntry]:
    return asana_client().collect_category_entries(
        category_gid,
        start_date=start,
        end_date=end,
        executor=asana_executor(),
        windows=date_windows_for(start, end),
    )


def sort_entries(entries: list[TimeEntry], *, sort: EntrySort) -> list[TimeEntry]:
    """Sorted by one column. Ties (and the default) are newest first; entries without a
    person or project come last in either direction, as "no value" is not a value."""
    newest_first = sorted(entries, key=lambda e: (e.entered_on, e.gid), reverse=True)
    column = sort.removeprefix("-")
    descending = sort.startswith("-")
    if column == "date":
        return newest_first if descending else newest_first[::-1]
    if column == "duration":
        # Python's sort is stable even with reverse=True: ties keep the newest-first order.
        return sorted(newest_first, key=lambda e: e.duration_minutes, reverse=descending)
    label = _ENTRY_LABELS[column]
    with_value = [e for e in newest_first if label(e)]
    without_value = [e for e in newest_first if not label(e)]
    ordered = sorted(with_value, key=lambda e: label(e).casefold(), reverse=descending)
    return ordered + without_value


def _person_name(entry: TimeEntry) -> str:
    return entry.created_by.name if entry.created_by else ""


def _project_name(entry: TimeEntry) -> str:
    return entry.attributable_to.name if entry.attributable_to else ""


_ENTRY_LABELS: dict[str, Callable[[TimeEntry], str]] = {
    "person": _person_name,
    "project": _project_name,
}


# --- helpers ---------------------------------------------------------------------------


def _name_matches(name: str, search: str) -> bool:
    needle = search.strip().casefold()
    return not needle or needle in name.casefold()


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


def _same_values(one: Category, other: Category) -> bool:
    """Same name and colour: what an edit form shows and changes."""
    return (one.name, one.color) == (other.name, other.color)


def _update_action(*, renamed: bool, recoloured: bool) -> str:
    if renamed and recoloured:
        return AuditEntry.Action.UPDATE
    return AuditEntry.Action.RENAME if renamed else AuditEntry.Action.RECOLOUR


def _snapshot(category: Category) -> dict[str, Any]:
    return {"name": category.name, "color": category.color, "is_archived": category.is_archived}
