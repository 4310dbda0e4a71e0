"""A spent budget is a page saying when to try again (503 + Retry-After), never a 500, and
the client's budget is the shared one whenever a real Asana is asked."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from categories.asana import AsanaClient, AsanaRateLimited, BudgetExhausted
from tests.security.settings_runs import REPO, settings_under
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


def test_with_redis_the_cache_and_its_invalidation_live_in_redis() -> None:
    found = settings_under(
        {"ASANA_ACCESS_TOKEN": "", "REDIS_URL": "redis://127.0.0.1:6399/2"}, ["CACHES"]
    )
    in_redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/2",
    }
    assert found["CACHES"]["default"] == in_redis
    assert found["CACHES"]["shared"] == in_redis


def test_without_redis_the_invalidation_is_shared_by_the_processes_of_the_machine() -> None:
    found = settings_under({"ASANA_ACCESS_TOKEN": "", "REDIS_URL": ""}, ["CACHES"])
    assert found["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")  # answers: per process
    shared = found["CACHES"]["shared"]  # the generation our writes bump: one for the machine
    assert shared["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert shared["LOCATION"] == str(REPO / "var" / "shared-cache")


def test_the_shares_of_the_budget_come_from_the_settings(settings: Any) -> None:
    from categories.web.client import shared_budget

    settings.REDIS_URL = ""
    settings.ASANA_BUDGET_PERSON_SHARE = 0.25
    settings.ASANA_BUDGET_BACKGROUND_SHARE = 0.6
    settings.ASANA_BUDGET_BACKGROUND_WRITES = 5
    limits = shared_budget("a-key").store.limits
    assert (limits.person_share, limits.background_share, limits.background_writes) == (
        0.25, 0.6, 5,
    )  # fmt: skip


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

    settings.DEMO_MODE = False  # a real token: in demo mode clients talk to the sandbox
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


def test_a_persons_own_budget_is_all_theirs_but_background_work_keeps_its_share(
    settings: Any,
) -> None:
    from categories.web.client import person_budget_key, shared_budget

    settings.REDIS_URL = ""
    settings.ASANA_REQUESTS_PER_MINUTE = 100
    own = shared_budget(person_budget_key("1200000000000042"), one_persons=True).store.limits
    assert own.person_minute(background=False, person="user:7") == 100
    assert own.minute(background=True) == 80
    shared = shared_budget("deployment-token-key").store.limits
    assert shared.person_minute(background=False, person="user:7") == 50
