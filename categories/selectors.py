"""Reading categories: what the categories screen and the forms ask Asana for.

Keyword-only, typed, no HTTP details. A list is reused for a short while from the answer
cache (ASANA_CACHE_SECONDS) unless the person asks for a refresh; anything that edits
reads Asana's current record (`category_get` without `reuse`). Also the audit log's
filtered listing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q, QuerySet

from categories.asana import AsanaNotFound, Category, Workspace
from categories.models import AuditEntry
from categories.web.answer_cache import cached
from categories.web.client import asana_client

CategoryState = Literal["active", "archived", "all"]
CATEGORY_STATES: tuple[CategoryState, ...] = ("active", "archived", "all")


@dataclass(frozen=True)
class CategoryListing:
    """The categories a tab shows, and when Asana gave them."""

    categories: list[Category]
    as_of: dt.datetime


def category_list(
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
    found = [c for c in fresh.value if name_matches(c.name, search)]
    return CategoryListing(categories=found, as_of=fresh.as_of)


def _fetch_categories(*, workspace_gid: str, state: CategoryState) -> list[Category]:
    client = asana_client()
    found: list[Category] = []
    # Asana has no "both" filter: "all" is the active list plus the archived list.
    for archived in _archived_flags(state):
        for category in client.iter_categories(workspace_gid=workspace_gid, archived=archived):
            # The list answer may omit is_archived; the query we sent says what it is.
            found.append(with_archived(category, archived))
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
        return name_matches(category.name, self.search)


def category_get(*, gid: str, reuse: bool = False, refresh: bool = False) -> Category:
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


def category_workspace(*, gid: str, workspaces: Sequence[Workspace]) -> Workspace:
    """The workspace that holds category `gid`, among `workspaces` (those the person may
    act in, the session's first). Asana's category record does not name its workspace, so
    it is the one whose list (active or archived, from the answer cache) holds the gid.

    Raises AsanaNotFound when none does: to this person the category does not exist.
    """
    for workspace in workspaces:
        listing = category_list(workspace_gid=workspace.gid, state="all")
        if any(category.gid == gid for category in listing.categories):
            return workspace
    raise AsanaNotFound("No category with this gid in a workspace you may change.", status=404)


def name_matches(name: str, search: str) -> bool:
    needle = search.strip().casefold()
    return not needle or needle in name.casefold()


def _archived_flags(state: CategoryState) -> tuple[bool, ...]:
    return {"active": (False,), "archived": (True,), "all": (False, True)}[state]


def with_archived(category: Category, archived: bool) -> Category:
    if category.is_archived is not None:
        return category
    return Category(
        gid=category.gid, name=category.name, color=category.color, is_archived=archived
    )


# --- the audit log ---------------------------------------------------------------------


def audit_entry_list(filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The log, newest first, narrowed by the filters that were valid."""
    # The people are shown by name (a person signed in with Asana has a username of digits).
    entries = AuditEntry.objects.select_related("actor")
    exact = {"action": "action", "outcome": "outcome", "user": "actor_username"}
    for key, field in exact.items():
        if filters.get(key):
            entries = entries.filter(**{field: filters[key]})
    if needle := filters.get("category"):
        by_name = Q(category_name__icontains=needle)
        entries = entries.filter(by_name | Q(category_gid=needle) if needle.isdigit() else by_name)
    if filters.get("since"):
        entries = entries.filter(created_at__date__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(created_at__date__lte=filters["until"])
    return entries
