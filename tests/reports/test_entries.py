"""Several ranges of one category at once (a range and the period before it): one sweep
for adjoining ranges, each answer cached on its own, only what is missing asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from categories.reports import entries
from categories.web.client import asana_client

ENGINEERING = "1209000000000001"
SEPTEMBER = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
AUGUST = (dt.date(2026, 8, 2), dt.date(2026, 8, 31))  # the 30 days before September
JULY = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))


@pytest.fixture
def asked(seeded_sandbox, monkeypatch) -> list[tuple[str, str]]:
    """The (start_date, end_date) of every entries request the client sends."""
    client = asana_client()
    sent: list[tuple[str, str]] = []
    original = client.call

    def spy(method: str, path: str, **kwargs: Any) -> Any:
        params = kwargs.get("params") or {}
        if path.endswith("/time_tracking_entries") and params.get("offset") is None:
            sent.append((params.get("start_date"), params.get("end_date")))
        return original(method, path, **kwargs)

    monkeypatch.setattr(client, "call", spy)
    return sent


def truth(span: tuple[dt.date, dt.date]) -> list[str]:
    """The span's entries asked of the sandbox on their own, newest first."""
    start, end = span
    found = asana_client().collect_category_entries(ENGINEERING, start_date=start, end_date=end)
    return [e.gid for e in entries.sort_entries(found, sort=entries.DEFAULT_ENTRY_SORT)]


def gids(report: entries.CategoryEntries) -> list[str]:
    return [entry.gid for entry in report.entries]


def test_a_range_and_the_period_before_it_are_asked_for_in_one_sweep(asked) -> None:
    september, august = entries.entries_for_ranges(
        category_gid=ENGINEERING, spans=[SEPTEMBER, AUGUST]
    )

    assert asked == [("2026-08-02", "2026-09-30")]
    # Entries on 31 August and 1 September land on their own side of the boundary.
    assert gids(september) == truth(SEPTEMBER)
    assert gids(august) == truth(AUGUST)
    assert (september.start, september.end, august.start, august.end) == (*SEPTEMBER, *AUGUST)
    assert september.as_of == august.as_of


def test_each_range_of_a_sweep_is_cached_on_its_own(asked) -> None:
    entries.entries_for_ranges(category_gid=ENGINEERING, spans=[SEPTEMBER, AUGUST])
    asked.clear()

    # The "previous period" link opens August: Asana is not asked again.
    august = entries.entries_for_category(category_gid=ENGINEERING, start=AUGUST[0], end=AUGUST[1])

    assert asked == []
    assert gids(august) == truth(AUGUST)


def test_only_the_range_not_cached_is_asked_for(asked) -> None:
    entries.entries_for_category(category_gid=ENGINEERING, start=SEPTEMBER[0], end=SEPTEMBER[1])
    asked.clear()

    september, august = entries.entries_for_ranges(
        category_gid=ENGINEERING, spans=[SEPTEMBER, AUGUST]
    )

    assert asked == [("2026-08-02", "2026-08-31")]
    assert gids(september) == truth(SEPTEMBER)
    assert gids(august) == truth(AUGUST)


def test_ranges_with_days_between_them_are_asked_for_apart(asked) -> None:
    september, july = entries.entries_for_ranges(category_gid=ENGINEERING, spans=[SEPTEMBER, JULY])

    assert sorted(asked) == [("2026-07-01", "2026-07-31"), ("2026-09-01", "2026-09-30")]
    assert gids(september) == truth(SEPTEMBER)
    assert gids(july) == truth(JULY)


def test_refresh_asks_for_every_range_again(asked) -> None:
    entries.entries_for_ranges(category_gid=ENGINEERING, spans=[SEPTEMBER, AUGUST])
    asked.clear()

    entries.entries_for_ranges(category_gid=ENGINEERING, spans=[SEPTEMBER, AUGUST], refresh=True)

    assert asked == [("2026-08-02", "2026-09-30")]


def test_overlapping_ranges_are_asked_for_once(asked) -> None:
    month, again = entries.entries_for_ranges(
        category_gid=ENGINEERING, spans=[SEPTEMBER, SEPTEMBER]
    )

    assert asked == [("2026-09-01", "2026-09-30")]
    assert gids(month) == gids(again) == truth(SEPTEMBER)
