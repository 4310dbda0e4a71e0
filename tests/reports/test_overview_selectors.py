"""The overview's per-category reads (its fallback where the token may not list the
workspace's entries): one task per category, failures per row, retried rows.

Asana is faked at the selectors' own boundary: the category list and each category's
entries (what the categories and entries screens read), so these tests are about what the
overview does with them: concurrency, per-row failures, shares and the archived scope.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from categories import selectors as category_selectors
from categories.asana import (
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
    Category,
    TimeEntry,
)
from categories.reports import selectors
from categories.reports.calculations import Totals, build_summary
from categories.reports.entries import CategoryEntries
from categories.web.problems import describe
from tests.support.report_entries import OCT_END, OCT_START, make_entry

WORKSPACE = "9000"
# As Asana lists them: compact records without is_archived.
DESIGN = Category(gid="11", name="Design", color="blue")
BUILD = Category(gid="12", name="Build", color="green")
SUPPORT = Category(gid="13", name="Support", color="red")
LEGACY = Category(gid="14", name="Legacy", color="cool-gray")

FORBIDDEN = AsanaForbidden(message="Not allowed.", status=403)


def _entries_of(category: Category, *minutes_by_day: tuple[str, int]) -> list[TimeEntry]:
    return [
        make_entry(f"{category.gid}-{i}", day, minutes, categories=(category,))
        for i, (day, minutes) in enumerate(minutes_by_day)
    ]


# Hand-computed: Design 90 + 30 = 120 min, Build 45 min, Legacy 60 min.
SHARED = make_entry("shared", "2026-10-20", 30, categories=(DESIGN, BUILD))
ENTRIES = {
    DESIGN.gid: [*_entries_of(DESIGN, ("2026-10-01", 90)), SHARED],
    BUILD.gid: [*_entries_of(BUILD, ("2026-10-31", 15)), SHARED],
    LEGACY.gid: _entries_of(LEGACY, ("2026-10-05", 60)),
}


@dataclass
class FakeReads:
    """Answers as the category list and the entries read model do; `failures` maps a
    category gid to the error its entries raise."""

    failures: dict[str, AsanaError] = field(default_factory=dict)
    before_fetch: Callable[[str], None] = lambda gid: None
    active: tuple[Category, ...] = (DESIGN, BUILD, SUPPORT)
    archived: tuple[Category, ...] = (LEGACY,)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, *call: Any) -> None:
        with self.lock:
            self.calls.append(call)

    def category_list(self, *, workspace_gid: str, state: str, **_: Any):
        self._record("categories", workspace_gid, state)
        archived = state == "archived"
        found = [
            Category(c.gid, c.name, c.color, is_archived=archived)
            for c in (self.archived if archived else self.active)
        ]
        return category_selectors.CategoryListing(found, timezone.now())

    def category_get(self, *, gid: str, **_: Any) -> Category:
        self._record("category", gid)
        known = {c.gid: c for c in (*self.active, *self.archived)}
        if gid not in known:
            raise AsanaNotFound(message="Unknown object.", status=404)
        return known[gid]

    def entries_for_category(
        self, *, category_gid: str, start: dt.date, end: dt.date, **_: Any
    ) -> CategoryEntries:
        self._record("entries", category_gid, start, end)
        self.before_fetch(category_gid)
        if category_gid in self.failures:
            raise self.failures[category_gid]
        found = ENTRIES.get(category_gid, [])
        return CategoryEntries(category_gid, start, end, list(found), as_of=timezone.now())


class CountingExecutor(Executor):
    """A thread pool that counts the tasks submitted to it."""

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.fixture
def executor() -> Iterator[CountingExecutor]:
    pool = CountingExecutor()
    yield pool
    pool.shutdown()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeReads]:
    """`fake(**options)`: the overview's reads answered by a new `FakeReads`."""

    def install(**options: Any) -> FakeReads:
        reads = FakeReads(**options)
        monkeypatch.setattr(category_selectors, "category_list", reads.category_list)
        monkeypatch.setattr(category_selectors, "category_get", reads.category_get)
        monkeypatch.setattr(selectors, "entries_for_category", reads.entries_for_category)
        monkeypatch.setattr(selectors, "entries_for_workspace", _listing_refused)
        return reads

    return install


def _listing_refused(**_: Any) -> Any:
    raise FORBIDDEN


def _report(executor: Executor, *, include_archived: bool = False):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selectors, "task_executor", lambda: executor)
        return selectors.overview_for_workspace(
            workspace_gid=WORKSPACE,
            start=OCT_START,
            end=OCT_END,
            include_archived=include_archived,
        ).overview


def _by_name(overview) -> dict[str, Any]:
    return {row.label: row for row in overview.rows}


# --- one task per category ---------------------------------------------------------------


def test_each_category_row_totals_exactly_its_own_entries(fake, executor):
    fake()
    overview = _report(executor)

    rows = _by_name(overview)
    assert [row.label for row in overview.rows] == ["Design", "Build", "Support"]
    assert (rows["Design"].minutes, rows["Design"].entries) == (120, 2)
    assert (rows["Build"].minutes, rows["Build"].entries) == (45, 2)
    assert (rows["Support"].minutes, rows["Support"].entries) == (0, 0)
    for row in overview.rows:
        assert row.minutes == Totals.of(ENTRIES.get(row.key, [])).minutes


def test_overview_row_agrees_with_the_categorys_own_summary(fake, executor):
    fake()
    overview = _report(executor)

    for row in overview.rows:
        own = build_summary(
            entries=ENTRIES.get(row.key, []), start=OCT_START, end=OCT_END, previous=Totals(0, 0)
        )
        assert (row.minutes, row.hours, row.entries) == (
            own.totals.minutes,
            own.totals.hours,
            own.totals.entries,
        )


def test_entry_in_two_fetched_categories_counts_in_both_and_once_in_distinct(fake, executor):
    fake()
    overview = _report(executor)

    assert overview.summed == Totals(entries=4, minutes=165)
    assert overview.distinct == Totals(entries=3, minutes=135)
    assert overview.multi_category_entries == 1
    assert [row.share for row in overview.rows] == pytest.approx([120 / 165, 45 / 165, 0.0])


def test_one_task_per_category_on_the_task_pool_with_the_range(fake, executor):
    reads = fake()

    _report(executor)

    assert executor.submitted == 3
    fetched = sorted(call for call in reads.calls if call[0] == "entries")
    assert fetched == [("entries", gid, OCT_START, OCT_END) for gid in ("11", "12", "13")]


def test_categories_are_fetched_concurrently(fake):
    # Every fetch waits for all three to have started: it only passes if they run together.
    barrier = threading.Barrier(3, timeout=5)
    fake(before_fetch=lambda gid: barrier.wait())

    with ThreadPoolExecutor(max_workers=3) as pool:
        overview = _report(pool)

    assert [row.status for row in overview.rows] == ["ok", "ok", "ok"]


@pytest.mark.parametrize(
    "error",
    [
        FORBIDDEN,
        AsanaUnavailable(message="Service Unavailable", status=503),
        AsanaRateLimited(message="Too many requests", status=429, retry_after=12),
    ],
)
def test_a_failing_category_is_marked_failed_in_plain_words_and_the_others_still_show(
    fake, executor, error
):
    fake(failures={BUILD.gid: error})
    overview = _report(executor)

    rows = _by_name(overview)
    failed = rows["Build"]
    assert (failed.status, failed.error) == ("failed", describe(error).detail)
    assert (failed.minutes, failed.entries, failed.share) == (0, 0, None)
    assert (rows["Design"].status, rows["Design"].minutes) == ("ok", 120)
    assert rows["Design"].share == pytest.approx(1.0)
    assert overview.failed == (failed,)
    assert overview.summed == Totals(entries=2, minutes=120)
    assert [d.label for d in overview.weekly.datasets] == ["Design", "Support"]


def test_every_category_failing_still_gives_an_overview_of_failed_rows(fake, executor):
    fake(failures={c.gid: FORBIDDEN for c in (DESIGN, BUILD, SUPPORT)})

    overview = _report(executor)

    assert [row.status for row in overview.rows] == ["failed"] * 3
    assert overview.summed == Totals(0, 0)
    assert overview.weekly.datasets == ()


def test_archived_categories_are_fetched_only_on_request(fake, executor):
    reads = fake()

    active_only = _report(executor)
    with_archived = _report(executor, include_archived=True)

    assert "Legacy" not in _by_name(active_only)
    assert reads.calls.count(("categories", WORKSPACE, "archived")) == 1
    legacy = _by_name(with_archived)["Legacy"]
    assert (legacy.minutes, legacy.category.is_archived) == (60, True)
    assert _by_name(with_archived)["Design"].category.is_archived is False


def test_a_category_listed_as_active_and_archived_appears_once(fake):
    fake(archived=(DESIGN,))  # archived between the two queries

    categories = selectors.overview_category_list(workspace_gid=WORKSPACE, include_archived=True)

    assert [(c.gid, c.is_archived) for c in categories].count((DESIGN.gid, False)) == 1
    assert DESIGN.gid not in [c.gid for c in categories if c.is_archived]


def test_a_failing_category_list_propagates(fake, executor, monkeypatch):
    fake()

    def no_list(**_: Any):
        raise FORBIDDEN

    monkeypatch.setattr(category_selectors, "category_list", no_list)
    with pytest.raises(AsanaForbidden):
        _report(executor)


# --- retrying one category -------------------------------------------------------------


def _retry(gid: str):
    return selectors.overview_row_for_category(category_gid=gid, start=OCT_START, end=OCT_END)


def test_a_retried_row_reloads_one_category_without_a_share(fake):
    fake()

    row = _retry(DESIGN.gid)

    assert (row.category, row.minutes, row.entries, row.status, row.share) == (
        DESIGN,
        120,
        2,
        "ok",
        None,
    )


def test_a_retried_row_of_a_still_failing_category_is_failed_with_its_name(fake):
    fake(failures={BUILD.gid: FORBIDDEN})

    row = _retry(BUILD.gid)

    assert (row.label, row.status, row.error) == ("Build", "failed", describe(FORBIDDEN).detail)


def test_a_retried_row_of_an_unknown_category_is_failed_in_plain_words(fake):
    fake()

    row = _retry("999")

    assert (row.key, row.status) == ("999", "failed")
    assert "no longer exists" in row.error
