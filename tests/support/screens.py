"""Helpers for the screens' view tests: HTMX headers and sandbox look-ups."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any


def htmx(target: str | None = None, **extra: str) -> dict[str, str]:
    """The headers htmx sends, for the Django test client (`**htmx("category-panel")`)."""
    headers = {"HTTP_HX_REQUEST": "true", **extra}
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers


def category_gid(name: str) -> str:
    from categories.sandbox.models import SandboxCategory

    return SandboxCategory.objects.get(name=name).gid


def sandbox_category(gid: str) -> Any:
    from categories.sandbox.models import SandboxCategory

    return SandboxCategory.find(gid)


def workspace_gid(name: str) -> str:
    from categories.sandbox.models import SandboxWorkspace

    return SandboxWorkspace.objects.get(name=name).gid


def sandbox_minutes(gid: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(entries, minutes) of a category in a range, straight from the sandbox's tables."""
    from categories.sandbox.models import SandboxEntry

    entries = SandboxEntry.objects.filter(
        categories__in=[sandbox_category(gid)], entered_on__range=(start, end)
    )
    return entries.count(), sum(entries.values_list("duration_minutes", flat=True))


def use_workspace(client: Any, name: str) -> Any:
    """Switch a signed-in test client to another sandbox workspace, as the picker does."""
    response = client.post("/workspace/", {"workspace": workspace_gid(name)})
    assert response.status_code == 302
    return client


def text_of(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))
