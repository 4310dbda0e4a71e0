"""The overview over a fake Asana client: concurrent per-category fetches, failures per row."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from categories.asana import (
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
    Category,
    TimeEntry,
)
from categories.errors import describe
from categories.overview import (
    category_hours,
    list_overview_categories,
    overview_report,
    workspace_overview_report,
)
from categories.reports import Totals, build_report
from tests.reports import OCT_END, OCT_START, make_entry

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
class FakeClient:
    """Answers like AsanaClient; `failures` maps a category gid to the error its fetch raises."""

    failures: dict[str, AsanaError] = field(default_factory=dict)
    fail_after_first_page: bool = False
    before_fetch: Callable[[str], None] = lambda gid: None
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, *call: Any) -> None:
        with self.lock:
            self.calls.append(call)

    def iter_categories(self, *, workspace_gid: str, archived: bool = False) -> Iterator[Category]:
        self._record("categories", workspace_gid, archived)
        return iter([LEGACY] if archived else [DESIGN, BUILD, SUPPORT])

    def get_category(self, gid: str) -> Category:
        self._record("category", gid)
        if gid not in {c.gid for c in (DESIGN, BUILD, SUPPORT, LEGACY)}:
            raise AsanaNotFound(message="Unknown object.", status=404)
        return next(c for c in (DESIGN, BUILD, SUPPORT, LEGACY) if c.gid == gid)

    def iter_category_entries(
        self, gid: str, *, start_date: dt.date | None = None, end_date: dt.date | None = None
    ) -> Iterator[TimeEntry]:
        self._record("entries", gid, start_date, end_date)
        self.before_fetch(gid)
        entries = ENTRIES.get(gid, [])
        if gid in self.failures and self.fail_after_first_page:
            yield from entries[:1]  # a first page arrives, then the next page fails
        if gid in self.failures:
            raise self.failures[gid]
        yield from entries

    def iter_workspace_entries(
        self, *, workspace_gid: str, start_date: dt.date, end_date: dt.date
    ) -> Iterator[TimeEntry]:
        self._record("workspace entries", workspace_gid, start_date, end_date)
        unique = {e.gid: e for found in ENTRIES.values() for e in found}
        return iter([*unique.values(), make_entry("bare", "2026-10-09", 20, categories=())])


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


def _report(client: FakeClient, executor: Executor, *, include_archived: bool = False):
    return overview_report(
        client=client,
        workspace_gid=WORKSPACE,
        start=OCT_START,
        end=OCT_END,
        include_archived=include_archived,
        executor=executor,
    )


def _by_name(overview) -> dict[str, Any]:
    return {row.label: row for row in overview.rows}


# --- per-category path -----------------------------------------------------------------


def test_each_category_row_totals_exactly_its_own_entries(executor):
    overview = _report(FakeClient(), executor)

    rows = _by_name(overview)
    assert [row.label for row in overview.rows] == ["Design", "Build", "Support"]
    assert (rows["Design"].minutes, rows["Design"].entries) == (120, 2)
    assert (rows["Build"].minutes, rows["Build"].entries) == (45, 2)
    assert (rows["Support"].minutes, rows["Support"].entries) == (0, 0)
    for row in overview.rows:
        assert row.minutes == Totals.of(ENTRIES.get(row.key, [])).minutes


def test_overview_row_agrees_with_the_categorys_own_report(executor):
    overview = _report(FakeClient(), executor)

    for row in overview.rows:
        own = build_report(
            entries=ENTRIES.get(row.key, []), start=OCT_START, end=OCT_END, previous=Totals(0, 0)
        )
        assert (row.minutes, row.hours, row.entries) == (
            own.totals.minutes,
            own.totals.hours,
            own.totals.entries,
        )


def test_entry_in_two_fetched_categories_counts_in_both_and_once_in_distinct(executor):
    overview = _report(FakeClient(), executor)

    assert overview.summed == Totals(entries=4, minutes=165)
    assert overview.distinct == Totals(entries=3, minutes=135)
    assert overview.multi_category_entries == 1
    assert [row.share for row in overview.rows] == pytest.approx([120 / 165, 45 / 165, 0.0])
    assert overview.uncategorized is None  # the per-category path cannot see them


def test_one_task_per_category_on_the_given_executor_with_the_range(executor):
    client = FakeClient()

    _report(client, executor)

    assert executor.submitted == 3
    fetched = sorted(call for call in client.calls if call[0] == "entries")
    assert fetched == [("entries", gid, OCT_START, OCT_END) for gid in ("11", "12", "13")]


def test_categories_are_fetched_concurrently():
    # Every fetch waits for all three to have started: it only passes if they run together.
    barrier = threading.Barrier(3, timeout=5)
    client = FakeClient(before_fetch=lambda gid: barrier.wait())

    with ThreadPoolExecutor(max_workers=3) as pool:
        overview = _report(client, pool)

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
    executor, error
):
    overview = _report(FakeClient(failures={BUILD.gid: error}), executor)

    rows = _by_name(overview)
    failed = rows["Build"]
    assert (failed.status, failed.error) == ("failed", describe(error).detail)
    assert (failed.minutes, failed.entries, failed.share) == (0, 0, None)
    assert (rows["Design"].status, rows["Design"].minutes) == ("ok", 120)
    assert rows["Design"].share == pytest.approx(1.0)
    assert overview.failed == (failed,)
    assert overview.summed == Totals(entries=2, minutes=120)
    assert [d.label for d in overview.weekly.datasets] == ["Design", "Support"]


def test_failure_on_a_later_page_fails_the_whole_row_not_a_partial_total(executor):
    client = FakeClient(failures={DESIGN.gid: FORBIDDEN}, fail_after_first_page=True)

    rows = _by_name(_report(client, executor))

    assert (rows["Design"].status, rows["Design"].minutes) == ("failed", 0)


def test_every_category_failing_still_gives_an_overview_of_failed_rows(executor):
    failures = {c.gid: FORBIDDEN for c in (DESIGN, BUILD, SUPPORT)}

    overview = _report(FakeClient(failures=failures), executor)

    assert [row.status for row in overview.rows] == ["failed"] * 3
    assert overview.summed == Totals(0, 0)
    assert overview.weekly.datasets == ()


def test_archived_categories_are_fetched_only_on_request(executor):
    client = FakeClient()

    active_only = _report(client, executor)
    with_archived = _report(client, executor, include_archived=True)

    assert "Legacy" not in _by_name(active_only)
    assert ("categories", WORKSPACE, True) in client.calls
    assert client.calls.count(("categories", WORKSPACE, True)) == 1
    legacy = _by_name(with_archived)["Legacy"]
    assert (legacy.minutes, legacy.category.is_archived) == (60, True)
    assert _by_name(with_archived)["Design"].category.is_archived is False


def test_a_category_listed_as_active_and_archived_appears_once():
    class Moving(FakeClient):
        def iter_categories(self, *, workspace_gid: str, archived: bool = False):
            return iter([DESIGN])  # archived between the two queries

    categories = list_overview_categories(
        client=Moving(), workspace_gid=WORKSPACE, include_archived=True
    )

    assert [(c.gid, c.is_archived) for c in categories] == [(DESIGN.gid, False)]


def test_a_failing_category_list_propagates(executor):
    class NoList(FakeClient):
        def iter_categories(self, *, workspace_gid: str, archived: bool = False):
            raise FORBIDDEN

    with pytest.raises(AsanaForbidden):
        _report(NoList(), executor)


# --- retrying one category -------------------------------------------------------------


def test_category_hours_reloads_one_category_without_a_share():
    row = category_hours(client=FakeClient(), category_gid=DESIGN.gid, start=OCT_START, end=OCT_END)

    assert (row.category, row.minutes, row.entries, row.status, row.share) == (
        DESIGN,
        120,
        2,
        "ok",
        None,
    )


def test_category_hours_of_a_still_failing_category_is_failed_with_its_name():
    client = FakeClient(failures={BUILD.gid: FORBIDDEN})

    row = category_hours(client=client, category_gid=BUILD.gid, start=OCT_START, end=OCT_END)

    assert (row.label, row.status, row.error) == ("Build", "failed", describe(FORBIDDEN).detail)


def test_category_hours_of_an_unknown_category_is_failed_in_plain_words():
    row = category_hours(client=FakeClient(), category_gid="999", start=OCT_START, end=OCT_END)

    assert (row.key, row.status) == ("999", "failed")
    assert "no longer exists" in row.error


# --- workspace-entries path ------------------------------------------------------------


def test_workspace_overview_agrees_with_the_per_category_overview(executor):
    client = FakeClient()

    per_category = _report(client, executor, include_archived=True)
    workspace = workspace_overview_report(
        client=client,
        workspace_gid=WORKSPACE,
        start=OCT_START,
        end=OCT_END,
        include_archived=True,
    )

    assert [(r.key, r.minutes, r.entries) for r in workspace.rows] == [
        (r.key, r.minutes, r.entries) for r in per_category.rows
    ]
    assert workspace.distinct == per_category.distinct
    assert workspace.uncategorized == Totals(entries=1, minutes=20)
    assert ("workspace entries", WORKSPACE, OCT_START, OCT_END) in client.calls
