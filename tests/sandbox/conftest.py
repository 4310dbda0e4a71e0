"""Fixtures for the sandbox's own tests: seeded demo data and a session that talks to it.

Seeding takes about half a second, too slow to repeat for every test, so the demo data
is written once per test package (committed) and each test runs in a transaction that
is rolled back. The data is wiped when the package's last test is done, so it never
leaks into other packages' tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from categories.sandbox.models import SandboxWorkspace
from categories.sandbox.seed import reset_demo_data, seed_demo_data, wipe_sandbox
from tests.support.sandbox import TODAY, Api, sandbox_session


@pytest.fixture(scope="package")
def _demo_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # Unblocked only while seeding and wiping: tests reach the database through `db`.
    with django_db_blocker.unblock():
        reset_demo_data(today=TODAY)
    yield
    with django_db_blocker.unblock():
        wipe_sandbox()


@pytest.fixture
def demo(_demo_data: None, db: None) -> None:
    """The demo data, with this test's changes rolled back afterwards."""
    # A transactional test (the HTTP server's) flushes the database when it ends.
    if not SandboxWorkspace.objects.exists():
        seed_demo_data(today=TODAY)


@pytest.fixture
def api(demo: None) -> Api:
    return Api(sandbox_session())
