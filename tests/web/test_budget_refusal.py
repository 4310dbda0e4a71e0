"""A spent budget is a page saying when to try again (503 + Retry-After), never a 500, and
the client's budget is the shared one whenever a real Asana is asked."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from categories.asana import AsanaClient, AsanaRateLimited, BudgetExhausted
from tests.security.settings_runs import settings_under
from tests.support.fake_asana import BASE_URL, CATEGORY, CATEGORY_PATH, TOKEN, error_json

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


@responses.activate
def test_a_429_on_one_server_pauses_the_token_on_every_server(settings: Any, tmp_path: Any) -> None:
    from categories.web.client import build_client, shared_budget, token_budget_key

    settings.REDIS_URL = ""
    settings.ASANA_BASE_URL = BASE_URL
    settings.ASANA_BUDGET_WAIT_SECONDS = 0.1
    responses.add(
        "GET", BASE_URL + CATEGORY_PATH, json=error_json("Too many"), status=429,
        headers={"Retry-After": "30"},
    )  # fmt: skip
    key = token_budget_key(TOKEN)
    with pytest.raises(AsanaRateLimited):
        build_client(token=TOKEN, budget_key=key).get_category(CATEGORY)

    elsewhere = shared_budget(key)  # what another process or server of this machine holds
    with pytest.raises(BudgetExhausted) as refused, elsewhere.slot("GET"):
        pass
    assert 29 <= refused.value.retry_after <= 30
    assert len(responses.calls) == 1


def test_a_person_budget_key_names_no_token_and_survives_a_refresh() -> None:
    from categories.web.client import person_budget_key

    assert person_budget_key("1200000000000042") == person_budget_key("1200000000000042")
    assert person_budget_key("1200000000000042") != person_budget_key("1200000000000043")
