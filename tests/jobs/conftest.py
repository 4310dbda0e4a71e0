"""Helpers for the jobs' tests: the demo sandbox's categories and entries as rows."""

from __future__ import annotations

import pytest

from categories.sandbox.models import SandboxCategory, SandboxEntry


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
