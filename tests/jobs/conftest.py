"""Helpers for the jobs' tests: the demo sandbox's categories and entries as rows, and the
move most tests start (Design's recent time to Sales, in Northwind)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from categories.jobs.models import Job
from categories.jobs.services import job_start
from categories.sandbox.models import SandboxCategory, SandboxEntry
from tests.support.sandbox import DESIGN, NORTHWIND

SALES = "1209000000000006"


def design_to_sales(actor: Any, *, days: int = 20, **options: Any) -> Job:
    """Start (not run) a move of Design's last `days` days to Sales; `options` change it."""
    today = dt.date.today()
    defaults = {
        "kind": Job.Kind.MOVE,
        "workspace_gid": NORTHWIND,
        "source_category_gid": DESIGN,
        "source_category_name": "Design",
        "target_category_gid": SALES,
        "target_category_name": "Sales",
        "range_start": today - dt.timedelta(days=days),
        "range_end": today,
    }
    return job_start(actor=actor, **(defaults | options))


def category_pk(gid: str) -> int:
    return SandboxCategory.pk_from_gid(gid) or 0


def placement(entry_gids: list[str]) -> dict[str, list[str]]:
    """Each entry's categories in the sandbox (what Asana holds)."""
    found: dict[str, list[str]] = {gid: [] for gid in entry_gids}
    pks = [SandboxEntry.pk_from_gid(gid) for gid in entry_gids]
    links = SandboxEntry.categories.through.objects.filter(sandboxentry_id__in=pks)
    for entry_id, category_id in links.values_list("sandboxentry_id", "sandboxcategory_id"):
        found[SandboxEntry.gid_for(entry_id)].append(SandboxCategory.gid_for(category_id))
    return found


def entries_of(category_gid: str) -> list[str]:
    rows = SandboxEntry.objects.filter(categories__id=category_pk(category_gid)).order_by("id")
    return [SandboxEntry.gid_for(pk) for pk in rows.values_list("id", flat=True)]


@pytest.fixture
def acme_admin(category_admin):
    return category_admin
