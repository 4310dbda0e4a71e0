"""/readyz and `manage.py asana_check`: is the dashboard able to serve, and is the token good?"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from categories.sandbox.faults import inject_fault
from tests.support.servers import free_port


@pytest.fixture
def readyz_url() -> str:
    return reverse("readyz")


def test_readyz_is_ready_when_database_and_asana_answer(client, seeded_sandbox, readyz_url):
    response = client.get(readyz_url)

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "shared": "ok", "asana": "ok"}


def test_readyz_is_not_ready_when_redis_does_not_answer(
    client, seeded_sandbox, readyz_url, settings
):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        },
    }

    response = client.get(readyz_url)

    assert response.status_code == 503
    assert response.json()["shared"] == "unavailable"


def test_readyz_is_not_ready_when_asana_refuses_the_token(client, seeded_sandbox, readyz_url):
    inject_fault(kind="status", status=401, path_pattern="users/me")

    response = client.get(readyz_url)

    assert response.status_code == 503
    assert response.json()["asana"] == "The Asana token is invalid or expired"


def test_readyz_answer_is_cached_for_a_few_seconds(client, seeded_sandbox, readyz_url):
    assert client.get(readyz_url).status_code == 200
    inject_fault(kind="status", status=503, path_pattern="users/me")

    # Still the cached answer: a polling load balancer must not spend the token's budget.
    assert client.get(readyz_url).status_code == 200


def test_readyz_needs_no_sign_in(client, seeded_sandbox, readyz_url):
    response = client.get(readyz_url)

    assert response.status_code == 200


def test_asana_check_prints_user_workspaces_and_every_scope(seeded_sandbox, capsys):
    call_command("asana_check")

    out = capsys.readouterr().out
    assert "Token user: Alex Morgan" in out
    assert "Workspace: Northwind Studio" in out
    assert "Workspace: Acme Consulting Group" in out
    for scope in (
        "time_tracking_categories:read",
        "time_tracking_categories:write",
        "time_tracking_categories:delete",
        "time_tracking_entries:read",
    ):
        assert out.count(f"ok    {scope}") == 2
    assert "Everything the dashboard needs works." in out


def test_asana_check_fails_with_the_missing_scope_named(seeded_sandbox, capsys):
    inject_fault(kind="status", status=403, method="DELETE")

    with pytest.raises(CommandError, match="2 check"):
        call_command("asana_check")

    assert "FAIL  time_tracking_categories:delete" in capsys.readouterr().out


def test_asana_check_fails_when_the_token_is_refused(seeded_sandbox):
    inject_fault(kind="status", status=401)

    with pytest.raises(CommandError, match="invalid or expired"):
        call_command("asana_check")


def test_asana_check_changes_nothing_in_asana(seeded_sandbox):
    from categories.sandbox.models import SandboxCategory

    before = list(SandboxCategory.objects.values_list("id", "name", "color", "is_archived"))

    call_command("asana_check")

    assert list(SandboxCategory.objects.values_list("id", "name", "color", "is_archived")) == before
