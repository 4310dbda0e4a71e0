"""Shared test setup. Every test runs offline: demo mode, the sandbox, or `responses`."""

import os

# Before Django reads settings (and a developer's .env): never talk to a real Asana.
os.environ["ASANA_ACCESS_TOKEN"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dashboard_state(settings):
    """Plain static storage (no collectstatic in unit tests) and a clean cache and client."""
    from django.core.cache import cache

    from categories.connection import asana_client

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    asana_client.cache_clear()
    yield
    cache.clear()
    asana_client.cache_clear()
