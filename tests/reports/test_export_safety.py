"""No export starts a formula, whichever list separator the spreadsheet reading it uses.

Much of Europe reads CSV with `;` between cells, so a name like `Mallory;=cmd|...` would
split into a second cell that is a live formula if only the first character were checked.
Every export is parsed with `,`, `;` and tab as the separator, and no cell may then start
with a formula sign (fullwidth and small forms, and after leading whitespace or quotes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pytest
from openpyxl import load_workbook

from categories.asana import Category, Reference
from categories.reports.calculations import breakdown
from categories.reports.exports import (
    FORMULA_SIGNS,
    breakdown_table,
    csv_lines,
    defuse,
    entries_table,
    xlsx_file,
)
from tests.support.report_entries import OCT_START, make_entry

HOSTILE_NAMES = [
    "Mallory;=cmd|' /C calc'!A0;x",
    "Eve,+1+1",
    "Tab\t-2+3",
    "  =SUM(A1)",
    "\u3000=1+1",  # ideographic space first
    "\uff1dFULLWIDTH()",
    "\ufe66small()",
    "\uff20mention",
    'quoted;"=HYPERLINK(""x"")"',
    "line\n=2+2",
    "carriage\r@x",
    "\tstarts with a tab",
]


def hostile_entries() -> list:
    return [
        make_entry(
            str(index),
            OCT_START,
            60,
            person=Reference(gid="9", name=name),
            project=Reference(gid="8", name=name),
            categories=(Category(gid="7", name=name, color="red"),),
        )
        for index, name in enumerate(HOSTILE_NAMES)
    ]


def cells_read_with(text: str, separator: str) -> Iterable[str]:
    for row in csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=separator
    ):
        yield from row


def starts_a_formula(cell: str) -> bool:
    first = cell.lstrip().lstrip('"').lstrip()[:1]
    return bool(first) and first in FORMULA_SIGNS


@pytest.mark.parametrize("separator", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("export", ["entries", "by person", "by project"])
def test_no_cell_starts_a_formula_whatever_the_separator(export: str, separator: str) -> None:
    entries = hostile_entries()
    if export == "entries":
        table = entries_table(entries)
    else:
        by = export.removeprefix("by ")
        table = breakdown_table(breakdown(entries, by=by), by=by)
    text = "".join(csv_lines(table))
    dangerous = [cell for cell in cells_read_with(text, separator) if starts_a_formula(cell)]
    assert dangerous == []


def test_read_with_its_own_separator_every_name_comes_back_whole() -> None:
    """Defusing adds apostrophes; it never drops or splits what people typed."""
    text = "".join(csv_lines(entries_table(hostile_entries())))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))[1:]
    for row, name in zip(rows, HOSTILE_NAMES, strict=True):
        assert row[1].replace("'", "") == name.replace("'", "")


def test_the_categories_of_an_entry_are_joined_by_a_character_no_locale_splits_on() -> None:
    entry = make_entry(
        "1",
        OCT_START,
        30,
        categories=(Category("1", "Design", "red"), Category("2", "Travel", "blue")),
    )
    text = "".join(csv_lines(entries_table([entry])))
    for separator in (",", ";", "\t"):
        assert "Design | Travel" in list(cells_read_with(text, separator))[-1]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_defusing_is_stable_and_only_adds_apostrophes(name: str) -> None:
    once = defuse(name)
    assert once.replace("'", "") == name.replace("'", "")
    assert defuse(once) == once  # an already defused part starts with an apostrophe


def test_excel_cells_are_text_never_formulas() -> None:
    workbook = load_workbook(xlsx_file(entries_table(hostile_entries())))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        for cell in (row[1], row[3], row[7]):
            assert cell.data_type == "s"
            assert not starts_a_formula(cell.value.split(";")[-1])
            assert not any(starts_a_formula(part) for part in cell.value.split(";"))
