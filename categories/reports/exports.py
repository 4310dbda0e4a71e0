"""CSV exports, produced line by line for a StreamingHttpResponse.

Every function here is a generator over its input: one entry in, one line out, so memory
stays flat however many entries Asana returns. Names are user text, so text cells are
defused against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from categories.asana import Reference, TimeEntry
from categories.reports.calculations import Row, minutes_to_hours

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
CATEGORY_SEPARATOR = "; "
# A spreadsheet treats a cell starting with one of these as a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SLUG_MAX_LENGTH = 60

Cell = str | int


class _Line:
    """A write-only 'file' that hands back what is written: csv.writer formats, we yield."""

    def write(self, line: str) -> str:
        return line


def defuse(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe stops formula evaluation."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM
    yield writer.writerow(header)
    for row in rows:
        # Only text is user input; numbers (minutes) are ours and pass unchanged.
        yield writer.writerow([defuse(cell) if isinstance(cell, str) else cell for cell in row])


def _hours_text(minutes: int) -> str:
    return f"{minutes_to_hours(minutes):.2f}"


def _name_and_gid(ref: Reference | None) -> tuple[str, str]:
    return (ref.name, ref.gid) if ref else ("", "")


def _entry_cells(entry: TimeEntry) -> tuple[Cell, ...]:
    return (
        entry.entered_on.isoformat(),
        *_name_and_gid(entry.created_by),
        *_name_and_gid(entry.attributable_to),
        entry.duration_minutes,
        _hours_text(entry.duration_minutes),
        CATEGORY_SEPARATOR.join(category.name for category in entry.categories),
    )


def entries_csv_rows(entries: Iterable[TimeEntry]) -> Iterator[str]:
    """BOM, header, then one CSV line per entry, in the order given.

    Missing people and projects are empty cells (not placeholders): the CSV is the data.
    """
    return _csv_lines(ENTRY_HEADER, (_entry_cells(entry) for entry in entries))


def breakdown_csv_rows(rows: Iterable[Row], *, by: str) -> Iterator[str]:
    """BOM, header, then one line per row, e.g. `by="person"` -> person,person_gid,...

    `share` is a fraction (0.2500 for a quarter), empty where unknown.
    """
    header = (by, f"{by}_gid", "minutes", "hours", "entries", "share")
    return _csv_lines(
        header,
        (
            (
                row.label,
                row.key,
                row.minutes,
                _hours_text(row.minutes),
                row.entries,
                "" if row.share is None else f"{row.share:.4f}",
            )
            for row in rows
        ),
    )


def _slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def csv_filename(*, category_name: str, start: dt.date, end: dt.date, suffix: str = "") -> str:
    """A safe ASCII file name naming the category and range.

    time-entries_client-workshops_2026-10-01_2026-10-31[_by-person].csv; a name with
    nothing ASCII in it (only emoji or markup) becomes "category".
    """
    parts = ["time-entries", _slug(category_name) or "category", start.isoformat(), end.isoformat()]
    if slug_suffix := _slug(suffix):
        parts.append(slug_suffix)
    return "_".join(parts) + ".csv"
