"""CSV exports: exact cells, round trips through csv.reader, injection, laziness, names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tracemalloc
from collections.abc import Iterator

import pytest

from categories.asana import Category, Reference, TimeEntry
from categories.reports.calculations import Totals, breakdown
from categories.reports.exports import (
    BOM,
    ENTRY_HEADER,
    breakdown_table,
    csv_lines,
    entries_table,
    export_filename,
)
from tests.support.report_entries import (
    ALPHA,
    ANN,
    OCT_END,
    OCT_START,
    TRAVEL,
    make_entry,
    october_entries,
)


def entries_csv_rows(entries):
    return csv_lines(entries_table(entries))


def breakdown_csv_rows(rows, *, by):
    return csv_lines(breakdown_table(rows, by=by))


def csv_filename(*, category_name, start, end, suffix=""):
    return export_filename(subject=category_name, start=start, end=end, filters=[suffix])


def _parse(lines: Iterator[str]) -> list[list[str]]:
    """What a spreadsheet program gets: the bytes, decoded as UTF-8 with a BOM, parsed."""
    data = "".join(lines).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the entries CSV -------------------------------------------------------------------


def test_entries_csv_starts_with_a_bom_then_the_header():
    lines = entries_csv_rows([])

    assert next(lines) == BOM
    assert next(lines) == (
        "date,person,person_gid,project,project_gid,minutes,hours,categories\r\n"
    )
    assert list(lines) == []


def test_entries_csv_has_one_row_per_entry_with_hand_computed_cells():
    rows = _parse(entries_csv_rows(october_entries()))

    assert rows == [
        list(ENTRY_HEADER),
        ["2026-10-01", "Ann Ó'Brien", "201", 'Alpha, "the big one"', "301", "90", "1.50",
         "Client workshops"],
        ["2026-10-31", "Bob", "202", 'Alpha, "the big one"', "301", "30", "0.50",
         "Client workshops | Travel"],
        ["2026-10-15", "Ann Ó'Brien", "201", "", "", "45", "0.75", "Client workshops"],
        ["2026-10-15", "", "", "<script>alert(1)</script>", "302", "15", "0.25",
         "Client workshops"],
    ]  # fmt: skip


def test_names_with_quotes_commas_newlines_markup_and_emoji_round_trip():
    names = [
        'She said "hi", then left',
        "Line one\nline two\r\nline three",
        "<b>bold</b> & <script>x</script>",
        "Café 🎉 👩‍💻 日本語",
        "trailing space ",
    ]
    entries = [
        make_entry(
            str(i),
            OCT_START,
            1,
            person=Reference(gid="9", name=name),
            project=Reference(gid="8", name=name),
            categories=(Category(gid="7", name=name, color="red"),),
        )
        for i, name in enumerate(names)
    ]

    rows = _parse(entries_csv_rows(entries))[1:]

    assert [(row[1], row[3], row[7]) for row in rows] == [(name, name, name) for name in names]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_formula_like_names_get_a_leading_apostrophe(name):
    entry = make_entry(
        "1",
        OCT_START,
        60,
        person=Reference(gid="9", name=name),
        project=Reference(gid="8", name=name),
        categories=(Category(gid="7", name=name, color="red"),),
    )

    row = _parse(entries_csv_rows([entry]))[1]

    assert (row[1], row[3], row[7]) == ("'" + name, "'" + name, "'" + name)
    assert row[5:7] == ["60", "1.00"]  # numbers are never touched


def test_formula_characters_inside_a_name_are_left_alone():
    entry = make_entry("1", OCT_START, 60, person=Reference(gid="9", name="A=B, C-D @ E"))

    assert _parse(entries_csv_rows([entry]))[1][1] == "A=B, C-D @ E"


def test_hours_always_have_two_decimal_places():
    entries = [make_entry(str(m), OCT_START, m) for m in (0, 1, 60, 125)]

    hours = [row[6] for row in _parse(entries_csv_rows(entries))[1:]]

    assert hours == ["0.00", "0.02", "1.00", "2.08"]


def test_csv_minutes_and_entries_agree_with_the_totals():
    entries = october_entries()

    rows = _parse(entries_csv_rows(entries))[1:]

    assert len(rows) == Totals.of(entries).entries
    assert sum(int(row[5]) for row in rows) == Totals.of(entries).minutes


# --- streaming -------------------------------------------------------------------------

ENTRY_COUNT = 100_000


def _generated_entries(produced: list[int]) -> Iterator[TimeEntry]:
    """A one-shot source of many entries that counts how many it has handed out."""
    categories = (Category(gid="1", name="Client workshops", color="blue"), TRAVEL)
    for i in range(ENTRY_COUNT):
        produced[0] += 1
        yield TimeEntry(
            gid=str(i),
            entered_on=OCT_START + dt.timedelta(days=i % 31),
            duration_minutes=i % 240,
            created_by=ANN,
            attributable_to=ALPHA,
            categories=categories,
        )


def test_entries_csv_reads_the_entries_only_as_lines_are_taken():
    produced = [0]
    lines = entries_csv_rows(_generated_entries(produced))

    assert produced == [0]  # nothing is read before the first line is asked for
    for _ in range(3):  # BOM, header, first entry
        next(lines)

    assert produced == [1]


def test_entries_csv_of_100_000_entries_streams_in_flat_memory():
    produced = [0]
    line_count = 0
    tracemalloc.start()
    try:
        for _line in entries_csv_rows(_generated_entries(produced)):
            line_count += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert line_count == ENTRY_COUNT + 2
    assert produced == [ENTRY_COUNT]
    # Holding the entries or the lines would take well over 10 MB; streaming stays tiny.
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"


# --- breakdown CSV ---------------------------------------------------------------------


def test_breakdown_csv_has_the_dimension_in_its_header_and_one_row_per_breakdown_row():
    rows = _parse(breakdown_csv_rows(breakdown(october_entries(), by="project"), by="project"))

    assert rows == [
        ["project", "project_gid", "minutes", "hours", "entries", "share"],
        ['Alpha, "the big one"', "301", "120", "2.00", "2", "0.6667"],
        ["(no project)", "", "45", "0.75", "1", "0.2500"],
        ["<script>alert(1)</script>", "302", "15", "0.25", "1", "0.0833"],
    ]


def test_breakdown_csv_defuses_formula_like_names():
    entries = [make_entry("1", OCT_START, 30, person=Reference(gid="5", name="=cmd|' /C calc'!A0"))]

    rows = _parse(breakdown_csv_rows(breakdown(entries, by="person"), by="person"))

    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_breakdown_csv_of_no_rows_is_just_the_header():
    assert _parse(breakdown_csv_rows([], by="person")) == [
        ["person", "person_gid", "minutes", "hours", "entries", "share"]
    ]


# --- file names ------------------------------------------------------------------------

SAFE_NAME = re.compile(r"^[a-z0-9_.-]+\.csv$")


@pytest.mark.parametrize(
    ("name", "suffix", "expected"),
    [
        ("Client Workshops", "", "time-entries_client-workshops_2026-10-01_2026-10-31.csv"),
        (
            "Client Workshops",
            "by person",
            "time-entries_client-workshops_2026-10-01_2026-10-31_by-person.csv",
        ),
        ("Café Müller \u2013 Q4", "", "time-entries_cafe-muller-q4_2026-10-01_2026-10-31.csv"),
        (
            '<script>alert("x")</script>',
            "",
            "time-entries_script-alert-x-script_2026-10-01_2026-10-31.csv",
        ),
        ("🎉🎉🎉", "", "time-entries_category_2026-10-01_2026-10-31.csv"),
        ("<>&\"'", "", "time-entries_category_2026-10-01_2026-10-31.csv"),
        ("", "", "time-entries_category_2026-10-01_2026-10-31.csv"),
        ("../../etc/passwd", "", "time-entries_etc-passwd_2026-10-01_2026-10-31.csv"),
    ],
)
def test_csv_filename_is_a_safe_ascii_slug_of_category_and_range(name, suffix, expected):
    filename = csv_filename(category_name=name, start=OCT_START, end=OCT_END, suffix=suffix)

    assert filename == expected
    assert SAFE_NAME.match(filename)


def test_csv_filename_shortens_a_very_long_name():
    filename = csv_filename(category_name="word " * 100, start=OCT_START, end=OCT_END)

    assert SAFE_NAME.match(filename)
    assert len(filename) < 100
    assert "-_" not in filename
