"""A spent budget is a page saying when to try again (503 + Retry-After), never a 500, and
the client's budget is the shared one whenever a real Asana is asked."""

from __future__ import annotations

from typing import Any

import pytest

from categories.asana import AsanaClient, BudgetExhausted
from tests.security.settings_runs import settings_under

pytestmark = pytest.mark.django_db


def test_a_spent_budget_answers_503_with_when_to_try_again(
    admin_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spent(self: AsanaClient, method: str, path: str, **kwargs: Any) -> Any:
        raise BudgetExhausted("Asana's rate limit for this token is reached.", retry_after=7)

    monkeypatch.setattr(AsanaClient, "call", spent)
    response = admin_http.get("/?refresh=1")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    html = response.content.decode()
    assert "Asana&#x27;s rate limit for this token is reached" in html
    assert "Try again in 7 s." in html


def test_with_redis_the_cache_lives_in_redis_too() -> None:
    found = settings_under(
        {"ASANA_ACCESS_TOKEN": "", "REDIS_URL": "redis://127.0.0.1:6399/2"}, ["CACHES"]
    )
    assert found["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/2",
    }


def test_a_real_token_gets_the_budget_every_process_shares(settings: Any, tmp_path: Any) -> None:
    from categories.web import client as client_module
    from categories.web.budget import FileSlots, SharedBudget

    settings.ASANA_BUDGET_FILE = tmp_path / "budget.sqlite3"
    settings.REDIS_URL = ""
    budget = client_module.shared_budget(client_module.token_budget_key("1/secret-token"))
    assert isinstance(budget, SharedBudget)
    assert isinstance(budget.store, FileSlots)
    assert "secret" not in budget.store.budget_key
