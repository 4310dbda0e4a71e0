"""Exports of what the report screens show: CSV, produced line by line, and Excel (.xlsx).

A table is a header and rows of typed cells (dates, whole minutes, hours, text). The CSV
writer is a generator over the rows: one row in, one line out, so memory stays flat
however many entries Asana returns. The Excel writer uses openpyxl's write-only mode, which
streams rows to a temporary file on disk, so it too holds one row at a time.

Names are user text, and a spreadsheet evaluates a cell that starts with a formula sign.
Text cells are defused so that no cell, and no part of a cell after a separator that some
locale's spreadsheet splits on (`,` `;` tab, or a line break), starts a formula: such a
part gets a leading apostrophe, the spreadsheet convention for "this is text". Signs in
fullwidth or small form and leading whitespace count too.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from categories.asana import Reference, TimeEntry
from categories.reports.calculations import (
    NO_CATEGORY_LABEL,
    Overview,
    Row,
    TeamMatrix,
    minutes_to_hours,
)

ExportFormat = Literal["csv", "xlsx"]
# Excel reads a CSV as the local ANSI code page unless it starts with a UTF-8 BOM.
BOM = "\ufeff"
ENTRY_HEADER = (
    "date",
    "person",
    "person_gid",
    "project",
    "project_gid",
    "minutes",
    "hours",
    "categories",
)
# Between the categories of one entry: a character no spreadsheet splits cells on.
CATEGORY_SEPARATOR = " | "
# A spreadsheet treats text starting with one of these as a formula (OWASP's list, plus
# the fullwidth and small forms some spreadsheets also accept).
FORMULA_SIGNS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
# Where a spreadsheet may start a new cell, depending on the locale's list separator.
_CELL_BREAKS = re.compile(r"([,;\t\r\n])")
SLUG_MAX_LENGTH = 60
HOURS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"

Cell = str | int | Decimal | dt.date


@dataclass(frozen=True)
class Hours:
    """Hours as exported: rounded once from whole minutes (a number, 2 places)."""

    minutes: int

    @property
    def value(self) -> Decimal:
        return minutes_to_hours(self.minutes)


@dataclass(frozen=True)
class Share:
    """A fraction of a total (0.25 for a quarter), or unknown."""

    fraction: float | None


Value = Cell | Hours | Share | None


@dataclass(frozen=True)
class Table:
    """What one export holds, in either format. `rows` may be a one-pass generator."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Value]]


# --- defusing -----------------------------------------------------------------------------


def defuse(text: str) -> str:
    """`text` with an apostrophe before every part that a spreadsheet could read as a
    formula, whichever separator it splits cells on."""
    parts = _CELL_BREAKS.split(text)
    # split() with a group keeps the separators at the odd indexes.
    defused = "".join(part if index % 2 else _defuse_part(part) for index, part in enumerate(parts))
    # A tab or carriage return opening the cell is itself a formula sign to some programs.
    return "'" + defused if text[:1] in ("\t", "\r") else defused


def _defuse_part(part: str) -> str:
    first = part.lstrip().lstrip('"')[:1]
    return "'" + part if first and first in FORMULA_SIGNS else part


# --- the tables ---------------------------------------------------------------------------


def _name_and_gid(ref: Reference | None) -> tuple[str, str]:
    return (ref.name, ref.gid) if ref else ("", "")


def _entry_row(entry: TimeEntry) -> tuple[Value, ...]:
    return (
        entry.entered_on,
        *_name_and_gid(entry.created_by),
        *_name_and_gid(entry.attributable_to),
        entry.duration_minutes,
        Hours(entry.duration_minutes),
        CATEGORY_SEPARATOR.join(category.name for category in entry.categories),
    )


def entries_table(entries: Iterable[TimeEntry]) -> Table:
    """One row per entry, in the order given. Missing people and projects are empty cells
    (not placeholders): the export is the data."""
    return Table("Entries", ENTRY_HEADER, (_entry_row(entry) for entry in entries))


def breakdown_table(rows: Iterable[Row], *, by: str) -> Table:
    """One row per breakdown row, e.g. `by="person"` -> person,person_gid,minutes,..."""
    header = (by, f"{by}_gid", "minutes", "hours", "entries", "share")
    return Table(
        f"By {by}",
        header,
        (
            (row.label, row.key, row.minutes, Hours(row.minutes), row.entries, Share(row.share))
            for row in rows
        ),
    )


def overview_table(overview: Overview) -> Table:
    """Hours per category, then the time logged with no category (when the workspace
    listing could show it); a row that failed to load is exported as failed, not as 0."""
    header = ("category", "category_gid", "archived", "minutes", "hours", "entries", "share")
    rows: list[Sequence[Value]] = [
        (
            row.category.name,
            row.category.gid,
            "yes" if row.category.is_archived else "no",
            row.minutes,
            Hours(row.minutes),
            row.entries,
            Share(row.share),
            "loaded" if row.status == "ok" else f"failed: {row.error}",
        )
        for row in overview.rows
    ]
    none = overview.uncategorised
    if none is not None:
        # Shares are of the categories' hours, so time with no category has none.
        rows.append(
            (
                NO_CATEGORY_LABEL,
                "",
                "no",
                none.minutes,
                Hours(none.minutes),
                none.entries,
                None,
                "loaded",
            )
        )
    return Table("Hours per category", (*header, "status"), rows)


def team_table(matrix: TeamMatrix) -> Table:
    """People x categories in hours, with each person's total and each category's."""
    header = ("person", "person_gid", *(column.label for column in matrix.columns), "total")
    rows: list[Sequence[Value]] = [
        (
            row.label,
            row.person.gid if row.person else "",
            *(Hours(matrix.cell(row, column)) for column in matrix.columns),
            Hours(row.minutes),
        )
        for row in matrix.rows
    ]
    totals = ("Total", "", *(Hours(column.minutes) for column in matrix.columns))
    rows.append((*totals, Hours(matrix.minutes)))
    return Table("Team", header, rows)


# --- CSV ----------------------------------------------------------------------------------


class _Line:
    """A write-only 'file' that hands back what is written: csv.writer formats, we yield."""

    def write(self, line: str) -> str:
        return line


def _csv_text(value: Value) -> str | int:
    if isinstance(value, str):
        return defuse(value)
    if isinstance(value, Hours):
        return f"{value.value:.2f}"
    if isinstance(value, Share):
        return "" if value.fraction is None else f"{value.fraction:.4f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def csv_lines(table: Table) -> Iterator[str]:
    """BOM, header, then one CSV line per row, produced as the rows are."""
    writer = csv.writer(_Line())
    yield BOM
    yield writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow([_csv_text(value) for value in row])


# --- Excel --------------------------------------------------------------------------------


def _xlsx_cell(sheet: Worksheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, Hours):
        cell = WriteOnlyCell(sheet, value=value.value)
        cell.number_format = HOURS_FORMAT
    elif isinstance(value, Share):
        cell = WriteOnlyCell(sheet, value=value.fraction)
        cell.number_format = "0.0%"
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=defuse(value))
        cell.data_type = "s"  # text, even where openpyxl would take "=..." for a formula
    else:
        cell = WriteOnlyCell(sheet, value=value)
    return cell


def xlsx_file(table: Table) -> IO[bytes]:
    """The table as an .xlsx workbook in an anonymous temporary file, rewound: typed cells
    (dates, numbers with formats), a bold header row, the header frozen in place."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(table.header):
        width = 28 if name in ("person", "project", "category", "categories") else 14
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


# --- file names ---------------------------------------------------------------------------


def _slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def export_filename(
    *,
    subject: str,
    start: dt.date,
    end: dt.date,
    filters: Sequence[str] = (),
    extension: ExportFormat = "csv",
    kind: str = "time-entries",
) -> str:
    """A safe ASCII file name naming what was exported, the range and the screen's filters.

    time-entries_client-workshops_2026-10-01_2026-10-31[_by-person].csv; a subject with
    nothing ASCII in it (only emoji or markup) becomes "category".
    """
    parts = [kind, _slug(subject) or "category", start.isoformat(), end.isoformat()]
    parts.extend(slug for text in filters if (slug := _slug(text)))
    return "_".join(parts) + f".{extension}"
