"""Asana's answers are reused briefly, never across one of the dashboard's own writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from categories import selectors, services
from categories.reports import entries
from categories.web.client import asana_client
from tests.support.sandbox import give_second_category

NORTHWIND = "1201000000000001"
ENGINEERING = "1209000000000001"
DESIGN = "1209000000000002"
TODAY = dt.date.today()


@pytest.fixture
def asana_calls(seeded_sandbox, monkeypatch) -> list[str]:
    """Every request the client sends, as 'METHOD path'."""
    client = asana_client()
    sent: list[str] = []
    original = client.call

    def spy(method: str, path: str, **kwargs: Any) -> Any:
        sent.append(f"{method} {path}")
        return original(method, path, **kwargs)

    monkeypatch.setattr(client, "call", spy)
    return sent


def names() -> list[str]:
    return [c.name for c in selectors.category_list(workspace_gid=NORTHWIND).categories]


def test_a_second_listing_is_served_from_the_cache(asana_calls) -> None:
    first = selectors.category_list(workspace_gid=NORTHWIND)
    sent = len(asana_calls)

    second = selectors.category_list(workspace_gid=NORTHWIND)

    assert len(asana_calls) == sent
    assert second.categories == first.categories
    assert second.as_of == first.as_of


def test_searching_reuses_the_cached_listing(asana_calls) -> None:
    selectors.category_list(workspace_gid=NORTHWIND)
    sent = len(asana_calls)

    found = selectors.category_list(workspace_gid=NORTHWIND, search="engin").categories

    assert [c.name for c in found] == ["Engineering"]
    assert len(asana_calls) == sent


def test_refresh_asks_asana_again_and_moves_as_of(asana_calls) -> None:
    first = selectors.category_list(workspace_gid=NORTHWIND)
    sent = len(asana_calls)

    again = selectors.category_list(workspace_gid=NORTHWIND, refresh=True)

    assert len(asana_calls) > sent
    assert again.as_of > first.as_of


def create(admin: Any) -> None:
    services.category_create(actor=admin, workspace_gid=NORTHWIND, name="Cache probe", color="red")


def rename(admin: Any) -> None:
    current = selectors.category_get(gid=DESIGN)
    services.category_update(
        actor=admin, workspace_gid=NORTHWIND, current=current, name="Cache probe", color="red"
    )


def archive(admin: Any) -> None:
    services.category_archive(actor=admin, workspace_gid=NORTHWIND, gid=DESIGN)


def delete(admin: Any) -> None:
    category = selectors.category_get(gid=DESIGN)
    services.category_delete(actor=admin, workspace_gid=NORTHWIND, category=category)


@pytest.mark.parametrize("write", [create, rename, archive, delete], ids=lambda w: w.__name__)
def test_every_write_retires_the_cached_listing(
    asana_calls, category_admin, write: Callable[[Any], None]
) -> None:
    before = names()

    write(category_admin)

    assert names() != before


def test_unarchive_retires_the_cached_archived_tab(asana_calls, category_admin) -> None:
    services.category_archive(actor=category_admin, workspace_gid=NORTHWIND, gid=DESIGN)
    archived = selectors.category_list(workspace_gid=NORTHWIND, state="archived")
    assert "Design" in [c.name for c in archived.categories]

    services.category_unarchive(actor=category_admin, workspace_gid=NORTHWIND, gid=DESIGN)

    archived = selectors.category_list(workspace_gid=NORTHWIND, state="archived")
    assert "Design" not in [c.name for c in archived.categories]


def test_a_failed_write_still_retires_the_cache(asana_calls, category_admin) -> None:
    from categories.asana import AsanaError
    from categories.sandbox.faults import inject_fault

    selectors.category_list(workspace_gid=NORTHWIND)
    inject_fault(kind="status", status=503, method="PUT")
    with pytest.raises(AsanaError):
        archive(category_admin)
    sent = len(asana_calls)

    selectors.category_list(workspace_gid=NORTHWIND)

    assert len(asana_calls) > sent  # the write may have happened: ask again


def test_entries_are_cached_and_a_rename_refreshes_their_category_chips(
    asana_calls, category_admin
) -> None:
    start = TODAY - dt.timedelta(days=90)
    give_second_category(category_gid=ENGINEERING, second_gid=DESIGN, start=start)
    first = entries.entries_for_category(category_gid=ENGINEERING, start=start, end=TODAY)
    sent = len(asana_calls)
    assert entries.entries_for_category(category_gid=ENGINEERING, start=start, end=TODAY).entries
    assert len(asana_calls) == sent

    rename(category_admin)
    after = entries.entries_for_category(category_gid=ENGINEERING, start=start, end=TODAY)

    chips_before = {c.name for e in first.entries for c in e.categories}
    chips_after = {c.name for e in after.entries for c in e.categories}
    assert "Design" in chips_before
    assert "Design" not in chips_after
    assert "Cache probe" in chips_after
    assert len(asana_calls) > sent


def test_cache_keys_never_contain_the_token(seeded_sandbox, settings) -> None:
    from categories.web.answer_cache import cached

    settings.ASANA_ACCESS_TOKEN = "0/secret-token-in-settings"
    cache.clear()

    cached(workspace_gid=NORTHWIND, what="probe", params=("x",), fetch=lambda: 1)

    keys = stored_keys()
    assert keys
    assert not any("secret-token" in key for key in keys)


def stored_keys() -> list[str]:
    """The keys the default cache holds, as stored: in-process memory in the suite, Redis
    when the suite runs with REDIS_URL (make test-postgres)."""
    store = cache._cache
    if isinstance(store, dict):  # locmem
        return list(store)
    return [key.decode() for key in store.get_client().keys("*")]  # Redis
