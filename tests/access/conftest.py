"""Each test starts with no person's Asana held by the process (categories.web.people keeps
one per sign-in, rebuilt from the database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_people_held() -> Iterator[None]:
    from categories.web.people import forget_people

    forget_people()
    yield
    forget_people()
