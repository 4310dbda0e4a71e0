"""(f) at equal entries: a workspace of 137 categories holding a copy of the 15-category
demo workspace's entries (same days, durations, people and projects; each categorised
entry under one of the 137 categories in turn, the others still without one). The two
then differ only in their categories, which is what issue 14's "within 10 %" compares:
the demo's 132-category workspace holds other entries, so it cannot show that.
"""

from __future__ import annotations

TWIN_CATEGORIES = 137


def make_twin(source_gid: str) -> str:
    """Create the twin (in the sandbox's database, this run's only) and return its gid."""
    from django.db import transaction

    from categories.asana.colors import CATEGORY_COLORS
    from categories.sandbox.models import (
        SandboxCategory,
        SandboxEntry,
        SandboxWorkspace,
        name_key,
    )

    source = SandboxWorkspace.find(source_gid)
    if source is None:
        raise RuntimeError(f"no sandbox workspace {source_gid}")
    with transaction.atomic():
        twin = SandboxWorkspace.objects.create(
            name=f"Bench twin ({TWIN_CATEGORIES} categories)", email_domain=source.email_domain
        )
        twin.members.add(*source.members.all())
        names = [f"Twin category {number:03d}" for number in range(1, TWIN_CATEGORIES + 1)]
        categories = SandboxCategory.objects.bulk_create(
            SandboxCategory(
                workspace=twin,
                name=name,
                name_key=name_key(name),
                color=CATEGORY_COLORS[index % len(CATEGORY_COLORS)],
            )
            for index, name in enumerate(names)
        )
        originals = list(
            SandboxEntry.objects.filter(workspace=source)
            .order_by("id")
            .prefetch_related("categories")
        )
        copies = SandboxEntry.objects.bulk_create(
            SandboxEntry(
                workspace=twin,
                entered_on=entry.entered_on,
                duration_minutes=entry.duration_minutes,
                created_by_id=entry.created_by_id,
                attributable_to_id=entry.attributable_to_id,
            )
            for entry in originals
        )
        link = SandboxEntry.categories.through
        link.objects.bulk_create(
            link(sandboxentry_id=copy.id, sandboxcategory_id=categories[index % TWIN_CATEGORIES].id)
            for index, (entry, copy) in enumerate(zip(originals, copies, strict=True))
            if entry.categories.all()
        )
    return twin.gid
