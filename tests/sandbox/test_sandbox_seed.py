"""The demo data: idempotent, deterministic, and the sizes the dashboard is designed for."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from categories.sandbox.models import (
    SandboxCategory,
    SandboxEntry,
    SandboxFault,
    SandboxProject,
    SandboxUser,
    SandboxWorkspace,
)
from categories.sandbox.seed import HISTORY_DAYS, reset_demo_data, seed_demo_data, wipe_sandbox
from tests.support.sandbox import ACME, ENGINEERING, NORTHWIND, TODAY


def _fingerprint() -> str:
    """A digest of every entry and its categories, to compare two seedings."""
    rows = SandboxEntry.objects.order_by("id").values_list(
        "id", "entered_on", "duration_minutes", "created_by", "attributable_to", "categories"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_seeding_again_changes_nothing_and_says_so(demo: None) -> None:
    before = (SandboxEntry.objects.count(), SandboxCategory.objects.count())

    assert seed_demo_data(today=TODAY) is False
    assert (SandboxEntry.objects.count(), SandboxCategory.objects.count()) == before


def test_seeding_is_deterministic_and_fast(demo: None) -> None:
    first = _fingerprint()
    wipe_sandbox()

    started = time.monotonic()
    assert seed_demo_data(today=TODAY) is True
    elapsed = time.monotonic() - started

    assert _fingerprint() == first
    assert elapsed < 2


def test_two_workspaces_with_their_people_and_projects(demo: None) -> None:
    workspaces = SandboxWorkspace.objects.order_by("id")
    users = SandboxUser.objects.order_by("id")

    assert [(w.gid, w.name) for w in workspaces] == [
        (NORTHWIND, "Northwind Studio"),
        (ACME, "Acme Consulting Group"),
    ]
    assert users.count() == 9
    assert users[0].name == "Alex Morgan"
    assert users[0].workspaces.count() == 2
    assert "Siobhán O'Neill" in [u.name for u in users]
    projects = SandboxProject.objects.values("workspace").annotate(n=Count("id"))
    assert sorted(p["n"] for p in projects) == [6, 6]


def test_northwind_has_15_categories_4_archived_led_by_engineering(demo: None) -> None:
    categories = SandboxCategory.objects.filter(workspace__pk=1).annotate(n=Count("entries"))
    busiest = max(categories, key=lambda c: c.n)

    assert categories.count() == 15
    assert categories.filter(is_archived=True).count() == 4
    assert len({c.color for c in categories}) >= 10
    assert {"Client workshops", "Design", "Internal meetings", "Travel"} <= {
        c.name for c in categories
    }
    assert busiest.gid == ENGINEERING
    assert 2300 <= busiest.n <= 3000


def test_acme_is_the_scale_case_137_categories_and_530_entries_a_quarter(demo: None) -> None:
    categories = SandboxCategory.objects.filter(workspace__pk=2)
    entries = SandboxEntry.objects.filter(workspace__pk=2)
    quarter = entries.filter(entered_on__range=(dt.date(2025, 4, 1), TODAY))
    per_entry = entries.annotate(n=Count("categories")).values_list("n", flat=True)

    assert categories.count() == 137
    assert categories.filter(is_archived=True).count() == 6
    assert 4000 <= entries.count() <= 4400  # about 2,100 a year
    assert 450 <= quarter.count() <= 610
    assert set(per_entry) == {0, 1}
    assert 0.08 < sum(1 for n in per_entry if n == 0) / len(per_entry) < 0.13
    # Every active category but the quietest few has time in the last year.
    year = entries.filter(entered_on__gt=TODAY - dt.timedelta(days=365))
    used = set(year.values_list("categories", flat=True)) - {None}
    assert len(used) >= 120
    assert not used & set(categories.filter(is_archived=True).values_list("id", flat=True))


def test_entries_look_like_two_years_of_office_work(demo: None) -> None:
    entries = SandboxEntry.objects.filter(workspace__pk=1)
    dates = entries.values_list("entered_on", flat=True)
    durations = set(entries.values_list("duration_minutes", flat=True))
    per_entry = entries.annotate(n=Count("categories")).values_list("n", flat=True)

    assert 4000 <= entries.count() <= 9000
    assert min(dates) >= TODAY - dt.timedelta(days=HISTORY_DAYS - 1)
    assert max(dates) <= TODAY
    weekend = sum(1 for d in dates if d.weekday() >= 5)
    assert weekend < 0.05 * len(dates)
    assert min(durations) >= 15
    assert max(durations) <= 480
    assert all(d % 15 == 0 for d in durations)
    # As in Asana: at most one category per entry, and some time logged with none.
    assert set(per_entry) == {0, 1}
    none = sum(1 for n in per_entry if n == 0)
    assert 0.08 < none / len(per_entry) < 0.15


def test_seed_command_seeds_once_and_resets_on_request(demo: None) -> None:
    SandboxCategory.objects.filter(pk=1).update(name="Renamed")
    SandboxFault.objects.create(kind="malformed")

    call_command("seed_sandbox", verbosity=0)
    assert SandboxCategory.objects.get(pk=1).name == "Renamed"

    call_command("seed_sandbox", "--reset", "--today", TODAY.isoformat(), verbosity=0)
    assert SandboxCategory.objects.get(pk=1).name == "Engineering"
    assert not SandboxFault.objects.exists()


@pytest.mark.parametrize("today", [dt.date(2024, 2, 29), dt.date(2026, 1, 4)])
def test_any_today_gives_the_same_shape(demo: None, today: dt.date) -> None:
    reset_demo_data(today=today)

    engineering = SandboxCategory.objects.get(pk=1)
    assert engineering.name == "Engineering"
    assert 2300 <= engineering.entries.count() <= 3000
    assert max(SandboxEntry.objects.values_list("entered_on", flat=True)) <= today


def test_two_people_have_their_last_weeks_timesheets_submitted_or_approved(demo: None) -> None:
    by_status = {
        status: SandboxEntry.objects.filter(approval_status=status)
        for status in ("DRAFT", "SUBMITTED", "APPROVED", "REJECTED")
    }
    locked = by_status["SUBMITTED"] | by_status["APPROVED"]

    assert set(locked.values_list("created_by__name", flat=True)) == {
        "Amara Okafor",
        "Zoë Lindqvist",
    }
    last_monday = TODAY - dt.timedelta(days=TODAY.weekday() + 7)
    assert set(by_status["SUBMITTED"].values_list("entered_on", flat=True)) <= {
        last_monday + dt.timedelta(days=n) for n in range(7)
    }
    assert by_status["REJECTED"].exists()
    # A few: most of the demo's time can be moved, some of it is refused.
    assert 20 <= locked.count() <= 0.02 * SandboxEntry.objects.count()
    # Approvals are switched on in Acme only: Northwind's time can all be moved.
    assert set(locked.values_list("workspace__name", flat=True)) == {"Acme Consulting Group"}
    assert locked.filter(categories__isnull=False).exists()


def test_every_entry_has_a_task_of_its_project_and_its_full_records_fields(demo: None) -> None:
    entries = SandboxEntry.objects.select_related("task")

    assert not entries.filter(task=None).exists()
    assert not entries.exclude(task__project=F("attributable_to")).exists()
    assert set(entries.values_list("billable_status", flat=True)) == {"billable", "nonBillable"}
    assert entries.exclude(description="").count() > entries.count() / 3
    first = entries.order_by("id").first()
    assert first.created_at.date() == first.entered_on
