"""Several app servers against Asana's stand-in enforcing the token's limits: a burst of
page loads over both never sends a request over the budget and never answers 500, a write
on one is visible on the other at once, and a sign-in on one works on the other. Real
processes, real servers, in both deployments the README describes:

- several servers: two gunicorn servers (two workers each) on one PostgreSQL and one Redis
  (and the job worker, once it exists);
- one machine: the same two servers on one SQLite file and no Redis (what `make run`'s two
  workers are), the budget and the answers' invalidation shared through files in var/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.support.site import Site, running_site

PER_MINUTE = 60


@pytest.fixture(
    scope="module",
    params=[pytest.param("postgresql+redis", marks=pytest.mark.servers), "one machine"],
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("site")
    app_env: dict[str, str] = {}
    if request.param == "postgresql+redis":
        import psycopg
        import redis

        postgres: Any = request.getfixturevalue("postgres")
        redis_url: str = request.getfixturevalue("redis_url")
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS dashboard_servers")
            connection.execute("CREATE DATABASE dashboard_servers")
        redis.Redis.from_url(redis_url).flushdb()
        app_env = {"DATABASE_URL": postgres.url("dashboard_servers"), "REDIS_URL": redis_url}
    with running_site(workdir, app_env=app_env, per_minute=PER_MINUTE) as running:
        yield running


def signed_in(site: Site, app: str, person: int = 0) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{app}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    username, password = site.people[person]
    answer = session.post(
        f"{app}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{app}/accounts/login/"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert "/accounts/login" not in answer.url
    return session


def test_a_sign_in_on_one_server_works_on_the_other(site: Site) -> None:
    session = signed_in(site, site.apps[0])
    other = session.get(f"{site.apps[1]}/", timeout=60)
    assert other.status_code == 200
    assert "/accounts/login" not in other.url


def test_a_write_on_one_server_is_visible_on_the_other_at_once(site: Site) -> None:
    first, second = site.apps
    session = signed_in(site, first)
    before = session.get(f"{second}/", timeout=60)  # now cached by the second
    assert before.status_code == 200
    assert "Seen everywhere" not in before.text
    form = session.get(f"{first}/categories/new/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    created = session.post(
        f"{first}/categories/create/",
        data={"name": "Seen everywhere", "color": "blue", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{first}/categories/new/"},
        timeout=60,
    )
    assert created.status_code == 200
    assert "Seen everywhere" in session.get(f"{second}/", timeout=60).text


def test_a_burst_over_both_servers_stays_inside_the_token_budget(site: Site) -> None:
    # Two people, each on both servers: together they can spend the whole minute.
    sessions = [(signed_in(site, app, person), app) for person in (0, 1) for app in site.apps]
    paths = [
        "/?refresh=1",
        "/overview/?range=this-quarter&full=1&refresh=1",
        "/categories/1209000000000001/entries/?range=last-30-days&refresh=1",
        "/categories/1209000000000002/entries/?range=this-month&refresh=1",
    ]
    loads = [(sessions[n % 4][0], sessions[n % 4][1] + paths[n % len(paths)]) for n in range(24)]

    def load(item: tuple[requests.Session, str]) -> int:
        session, url = item
        return session.get(url, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(load, loads))
    usage = site.usage()
    print(f"statuses {sorted(statuses)}; sandbox {usage}")  # shown with -s
    assert 500 not in statuses, statuses
    assert set(statuses) <= {200, 503}, statuses  # 503: "try again in N s", by design
    assert usage["requests"] >= PER_MINUTE * 0.75  # the burst spent the token's minute
    assert usage["over_budget"] == 0, usage
    assert usage["peak_reads"] <= 50, usage
    assert usage["peak_writes"] <= 15, usage
