"""Sorting entries (entries.sort_entries) and the duration formats the screens use."""

from __future__ import annotations

import datetime as dt

import pytest

from categories.asana import Category, Reference, TimeEntry
from categories.reports.entries import CategoryEntries, sort_entries
from categories.reports.presenters import entry_rows, entry_rows_html
from categories.selectors import CategoryFilter
from categories.templatetags.dashboard import color_name, duration, hours


def entry(gid: str, day: int, minutes: int, person: str = "", project: str = "") -> TimeEntry:
    return TimeEntry(
        gid=gid,
        entered_on=dt.date(2025, 5, day),
        duration_minutes=minutes,
        created_by=Reference("1", person) if person else None,
        attributable_to=Reference("2", project) if project else None,
        categories=(),
    )


ENTRIES = [
    entry("1", 3, 60, "bob", "Website"),
    entry("2", 5, 30, "Alice", ""),
    entry("3", 5, 90, "", "app"),
    entry("4", 1, 30, "carol", "Website"),
]


def gids(entries: list[TimeEntry]) -> list[str]:
    return [e.gid for e in entries]


def test_default_order_is_newest_first_with_ties_broken_by_gid():
    assert gids(sort_entries(ENTRIES, sort="-date")) == ["3", "2", "1", "4"]


def test_oldest_first_is_the_exact_reverse():
    assert gids(sort_entries(ENTRIES, sort="date")) == ["4", "1", "2", "3"]


def test_people_sort_alphabetically_ignoring_case_with_unknown_people_last():
    assert gids(sort_entries(ENTRIES, sort="person")) == ["2", "1", "4", "3"]
    assert gids(sort_entries(ENTRIES, sort="-person")) == ["4", "1", "2", "3"]


def test_projects_sort_alphabetically_with_no_project_last_either_way():
    assert gids(sort_entries(ENTRIES, sort="project"))[-1] == "2"
    assert gids(sort_entries(ENTRIES, sort="-project"))[-1] == "2"


def test_equal_durations_stay_newest_first():
    assert gids(sort_entries(ENTRIES, sort="-duration")) == ["3", "1", "2", "4"]
    assert gids(sort_entries(ENTRIES, sort="duration")) == ["2", "4", "1", "3"]


def test_report_totals_are_the_sum_of_its_entries_whatever_the_order():
    report = CategoryEntries(
        category_gid="9", start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31), entries=ENTRIES
    )

    assert report.entry_count == 4
    assert report.total_minutes == 210
    assert gids(report.rows(first=1, last=3)) == ["2", "3"]


@pytest.mark.parametrize(
    ("minutes", "shown", "decimal"),
    [(0, "0:00", "0.00"), (5, "0:05", "0.08"), (90, "1:30", "1.50"), (6000, "100:00", "100.00")],
)
def test_durations_are_hours_and_minutes_and_decimal_hours(minutes, shown, decimal):
    assert duration(minutes) == shown
    assert hours(minutes) == decimal


def test_colour_names_are_words():
    assert color_name("yellow-orange") == "Yellow orange"
    assert color_name("none") == "No colour"


def test_a_row_leaves_out_the_category_on_screen_from_its_chips():
    mine, other = Category("1", "Design", "red"), Category("2", "Travel", "blue")
    shared = TimeEntry("9", dt.date(2025, 5, 1), 30, None, None, categories=(mine, other))

    (row,) = entry_rows([shared], category_gid="1")

    assert row.other_categories == (other,)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2025, 6, 30), "Mon 30 Jun 2025"),
        (dt.date(2024, 2, 29), "Thu 29 Feb 2024"),
        (dt.date(2025, 12, 7), "Sun 7 Dec 2025"),
    ],
)
def test_a_row_shows_its_day_in_words_and_as_iso(day, label):
    (row,) = entry_rows([TimeEntry("9", day, 90, None, None, ())], category_gid="1")

    assert (row.day_label, row.day_iso, row.duration) == (label, day.isoformat(), "1:30")


def test_a_row_without_person_or_project_has_none_and_a_blank_name_stays_blank():
    missing = entry("9", 3, 45)
    unnamed = TimeEntry("8", dt.date(2025, 5, 3), 45, Reference("7", ""), Reference("6", ""), ())

    (without, blank) = entry_rows([missing, unnamed], category_gid="1")

    assert (without.person, without.project) == (None, None)
    assert (blank.person, blank.project) == ("", "")


def test_category_filter_decides_which_tab_a_category_belongs_to():
    archived = Category("1", "Legacy", "red", is_archived=True)
    active = Category("2", "Design", "blue", is_archived=False)

    assert CategoryFilter(state="archived").includes(archived)
    assert not CategoryFilter(state="active").includes(archived)
    assert CategoryFilter(state="all").includes(archived)
    assert CategoryFilter(state="all", search="DES").includes(active)
    assert not CategoryFilter(state="all", search="zzz").includes(active)


def test_rows_say_unknown_person_and_no_project_when_asana_names_none():
    html = entry_rows_html([entry("9", 3, 45)], category_gid="1")

    assert '<td><span class="muted">Unknown</span></td>' in html
    assert '<td><span class="muted">No project</span></td>' in html
    assert '<td class="numeric">0:45</td>' in html


def test_the_first_row_takes_the_focus_only_when_asked():
    rows = [entry("9", 3, 45), entry("8", 2, 30)]

    appended = entry_rows_html(rows, category_gid="1", focus_first_row=True)
    first_screen = entry_rows_html(rows, category_gid="1")

    assert appended.count("autofocus") == 1
    assert appended.index("autofocus") < appended.index('id="entry-8"')
    assert "autofocus" not in first_screen
