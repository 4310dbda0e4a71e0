"""Shared test setup. Every test runs offline: demo mode, the sandbox, or `responses`."""

import os

# Before Django reads settings (and a developer's .env): never talk to a real Asana.
os.environ["ASANA_ACCESS_TOKEN"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
# Playwright's sync API keeps an event loop running in the main thread for the whole
# session; Django would then take every later database test for async code and refuse.
# The tests are synchronous, so the check does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.asana_calls import AsanaCall, AsanaCalls

SERVER_FIXTURES = frozenset({"postgres", "redis_url"})


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item: pytest.Item) -> None:
    """Tests using a real PostgreSQL or Redis are marked `servers` (`-m "not servers"`)."""
    if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.servers)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: they start servers and a browser that the others do not need."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _isolated_dashboard_state(settings, tmp_path):
    """Plain static storage (no collectstatic in unit tests) and a clean cache and client."""
    from django.core.cache import cache

    from categories.web.client import asana_client
    from categories.web.pool import asana_executor

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    asana_client.cache_clear()
    # A test with a real token made a pool that demo mode must not inherit (its sandbox
    # answers from the request thread's database connection).
    asana_executor.cache_clear()
    # Each test's real-token client gets a budget of its own (a test sends far more than a
    # person would a minute); the budget itself is tested in tests/web/test_shared_budget.py.
    settings.ASANA_BUDGET_FILE = tmp_path / "asana-budget.sqlite3"
    yield
    cache.clear()
    asana_client.cache_clear()
    asana_executor.cache_clear()


@pytest.fixture(scope="package")
def _committed_demo_data(django_db_setup, django_db_blocker):
    """Seeding takes about half a second: do it once per test package, committed."""
    from categories.sandbox.seed import seed_demo_data

    with django_db_blocker.unblock():
        seed_demo_data()


@pytest.fixture
def seeded_sandbox(_committed_demo_data, db):
    """The offline sandbox with its demo data; each test's changes are rolled back.

    Seeds again inside the test when an earlier transactional test flushed the tables.
    """
    from categories.sandbox.seed import seed_demo_data

    seed_demo_data()


def _user_in_group(django_user_model, username: str, group_name: str | None):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1")
    if group_name:
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


@pytest.fixture
def category_admin(db, django_user_model):
    from categories.access.roles import CATEGORY_ADMINS

    return _user_in_group(django_user_model, "cat-admin", CATEGORY_ADMINS)


@pytest.fixture
def time_reviewer(db, django_user_model):
    from categories.access.roles import TIME_REVIEWERS

    return _user_in_group(django_user_model, "reviewer", TIME_REVIEWERS)


@pytest.fixture
def roleless_user(db, django_user_model):
    return _user_in_group(django_user_model, "nobody", None)


@pytest.fixture
def admin_http(client, category_admin, seeded_sandbox):
    """A Django test client signed in as a Category admin, against the seeded sandbox."""
    client.force_login(category_admin)
    return client


@pytest.fixture
def reviewer_http(client, time_reviewer, seeded_sandbox):
    """A Django test client signed in as a Time reviewer, against the seeded sandbox."""
    client.force_login(time_reviewer)
    return client


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-for-tests-1")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Creating users and signing in hash passwords; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def asana_calls(monkeypatch: pytest.MonkeyPatch) -> AsanaCalls:
    """Every request the dashboard sends to Asana during the test, in order."""
    from categories.asana.client import AsanaClient

    calls = AsanaCalls()
    original = AsanaClient.call

    def spy(self: AsanaClient, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        calls.append(AsanaCall(method, path, dict(kwargs.get("params") or {}), kwargs.get("json")))
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(AsanaClient, "call", spy)
    return calls


# --- real servers: a throwaway Redis and PostgreSQL for the session --------------------------


def _server_missing(what: str) -> None:
    message = f"{what} is not installed (make test installs it: scripts/ensure-servers.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    from tests.support.servers import have_redis, redis_server

    if not have_redis():
        _server_missing("redis-server")
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    from tests.support.servers import have_postgres, postgres_server

    if not have_postgres():
        _server_missing("PostgreSQL 15")
    with postgres_server() as server:
        yield server
