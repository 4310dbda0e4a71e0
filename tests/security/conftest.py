"""Fixtures for the security tests: the demo sandbox, seeded once for the package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="package", autouse=True)
def _sandbox_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seeding takes a moment: do it once, committed, and wipe it when the package ends.

    Each test still runs in a transaction that is rolled back, so edits never leak; the
    shared `seeded_sandbox` fixture then finds the data and does nothing.
    """
    from categories.sandbox.seed import seed_demo_data, wipe_sandbox

    with django_db_blocker.unblock():
        seed_demo_data()
        yield
        wipe_sandbox()


@pytest.fixture
def sign_in(client: Any, seeded_sandbox: None) -> Any:
    """`sign_in(user)`: the test client, signed in as `user`, against the seeded sandbox."""

    def signed_in(user: Any) -> Any:
        client.force_login(user)
        return client

    return signed_in
