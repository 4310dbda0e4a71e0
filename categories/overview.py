"""The workspace overview: hours per category over a range, fetched concurrently.

One task per category on the caller's executor, so a slow or failing category neither
delays the listing of the others beyond itself nor blanks them: its row is marked failed,
in plain words, and can be reloaded alone with `category_hours`. No Django here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import Protocol

from categories.asana import AsanaError, Category, TimeEntry
from categories.errors import describe
from categories.reports import (
    CategoryHours,
    CategoryLoad,
    Overview,
    build_overview,
    category_row,
    overview_from_entries,
)


class OverviewClient(Protocol):
    """The part of `AsanaClient` the overview uses (a fake one in tests)."""

    def iter_categories(
        self, *, workspace_gid: str, archived: bool = False
    ) -> Iterator[Category]: ...

    def get_category(self, gid: str) -> Category: ...

    def iter_category_entries(
        self, gid: str, *, start_date: dt.date | None = None, end_date: dt.date | None = None
    ) -> Iterator[TimeEntry]: ...

    def iter_workspace_entries(
        self, *, workspace_gid: str, start_date: dt.date, end_date: dt.date
    ) -> Iterator[TimeEntry]: ...


def list_overview_categories(
    *, client: OverviewClient, workspace_gid: str, include_archived: bool
) -> list[Category]:
    """Active categories, then archived ones on request; each gid once, archived flag set.

    An AsanaError here propagates: without the list there is no overview to show.
    """
    found: dict[str, Category] = {}
    for archived in (False, True) if include_archived else (False,):
        for category in client.iter_categories(workspace_gid=workspace_gid, archived=archived):
            # The list answer may omit is_archived; the query we sent says what it is.
            if category.is_archived is None:
                category = replace(category, is_archived=archived)
            # A category archived between the two queries would come twice.
            found.setdefault(category.gid, category)
    return list(found.values())


def _fetch_entries(
    client: OverviewClient, gid: str, start: dt.date, end: dt.date
) -> tuple[TimeEntry, ...]:
    # Consumed inside the task: every page is fetched there, and any failure raises there.
    return tuple(client.iter_category_entries(gid, start_date=start, end_date=end))


def _load(category: Category, future: Future[tuple[TimeEntry, ...]]) -> CategoryLoad:
    try:
        return CategoryLoad(category, future.result())
    except AsanaError as error:
        return CategoryLoad(category, error=describe(error).detail)


def overview_report(
    *,
    client: OverviewClient,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    include_archived: bool = False,
    executor: Executor,
) -> Overview:
    """Hours per category, each category's entries fetched as its own task.

    A category whose fetch raises an AsanaError becomes a failed row; the rest show.
    Totals per row are the sums of exactly the entries Asana listed for that category,
    as on the category's own report.
    """
    categories = list_overview_categories(
        client=client, workspace_gid=workspace_gid, include_archived=include_archived
    )
    futures = [
        (category, executor.submit(_fetch_entries, client, category.gid, start, end))
        for category in categories
    ]
    loads = [_load(category, future) for category, future in futures]
    return build_overview(loads, start=start, end=end)


def category_hours(
    *, client: OverviewClient, category_gid: str, start: dt.date, end: dt.date
) -> CategoryHours:
    """One category's row, to retry a failed one (its share needs the others: None)."""
    # The name stays unknown if Asana fails now; the page still has it from the first load.
    category = Category(gid=category_gid, name="", color="none")
    try:
        category = client.get_category(category_gid)
        entries = _fetch_entries(client, category_gid, start, end)
    except AsanaError as error:
        return category_row(CategoryLoad(category, error=describe(error).detail))
    return category_row(CategoryLoad(category, entries))


def workspace_overview_report(
    *,
    client: OverviewClient,
    workspace_gid: str,
    start: dt.date,
    end: dt.date,
    include_archived: bool = False,
) -> Overview:
    """The same overview from one workspace-wide entries listing (needs the
    time_tracking_entries:read scope; it also sees entries without a category).

    All or nothing: an AsanaError propagates, as there is one query, not one per row.
    """
    categories = list_overview_categories(
        client=client, workspace_gid=workspace_gid, include_archived=include_archived
    )
    entries = client.iter_workspace_entries(
        workspace_gid=workspace_gid, start_date=start, end_date=end
    )
    return overview_from_entries(categories, entries, start=start, end=end)
