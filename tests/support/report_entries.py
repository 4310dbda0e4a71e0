"""Reports for managers: hand-computed fixtures shared by the report, export and overview tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from categories.asana import Category, Reference, TimeEntry

WORKSHOPS = Category(gid="101", name="Client workshops", color="blue", is_archived=False)
TRAVEL = Category(gid="102", name="Travel", color="orange", is_archived=False)
ARCHIVED = Category(gid="103", name="Old retainer", color="cool-gray", is_archived=True)

ANN = Reference(gid="201", name="Ann Ó'Brien")
BOB = Reference(gid="202", name="Bob")
ALPHA = Reference(gid="301", name='Alpha, "the big one"')
MARKUP = Reference(gid="302", name="<script>alert(1)</script>")

OCT_START = dt.date(2026, 10, 1)  # a Thursday
OCT_END = dt.date(2026, 10, 31)  # a Saturday


def make_entry(
    gid: str,
    day: dt.date | str,
    minutes: int,
    *,
    person: Reference | None = None,
    project: Reference | None = None,
    categories: Sequence[Category] = (WORKSHOPS,),
) -> TimeEntry:
    return TimeEntry(
        gid=gid,
        entered_on=day if isinstance(day, dt.date) else dt.date.fromisoformat(day),
        duration_minutes=minutes,
        created_by=person,
        attributable_to=project,
        categories=tuple(categories),
    )


def october_entries() -> list[TimeEntry]:
    """Four entries of Client workshops in October 2026, totals worked out by hand:

    | entry | day        | min | person  | project  | categories        |
    |-------|------------|-----|---------|----------|-------------------|
    | 1     | 2026-10-01 | 90  | Ann     | Alpha    | Workshops         |  first day
    | 2     | 2026-10-31 | 30  | Bob     | Alpha    | Workshops, Travel |  last day
    | 3     | 2026-10-15 | 45  | Ann     | (none)   | Workshops         |
    | 4     | 2026-10-15 | 15  | (none)  | <script> | Workshops         |

    180 min = 3.00 h. Ann 135 (3/4), Bob 30 (1/6), unknown 15 (1/12).
    Alpha 120 (2/3), no project 45 (1/4), <script> 15 (1/12).
    """
    return [
        make_entry("1", OCT_START, 90, person=ANN, project=ALPHA),
        make_entry("2", OCT_END, 30, person=BOB, project=ALPHA, categories=(WORKSHOPS, TRAVEL)),
        make_entry("3", "2026-10-15", 45, person=ANN),
        make_entry("4", "2026-10-15", 15, project=MARKUP),
    ]
