"""The token's budget while a job runs and people use the dashboard: a real worker merging
a few hundred entries, the dashboard served by gunicorn (PostgreSQL, Redis for the shared
budget), its pages loaded all along, and Asana's stand-in enforcing the token's limits
and counting every request over them. The minute's budget is scaled down so the job
meets it: the job sends more than a minute allows, waits for the budget instead of going
over, and leaves the pages their share. Times are for `make bench`, not asserted here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.job_worker import (
    CATEGORY,
    Site,
    migrate,
    sandbox_server,
    sandbox_usage,
    stop,
    wait_for,
)
from tests.support.sandbox import REPO
from tests.support.servers import free_port
from tests.support.site import wait_for_http

# The token's budget, here and at the sandbox. The job may use 80 % of it (160 a minute),
# the merge needs more than a whole minute's (Sales: about 230 entries, a PUT each), so
# the job must wait for the budget; the pages' 20 % is theirs all along.
PER_MINUTE = 200
CONTROL = "jobs-under-load-control"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "pw-jobs-load-1"


@dataclass
class Dashboard:
    site: Site
    url: str
    sandbox: str


@pytest.fixture(scope="module")
def dashboard(
    postgres: Any, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dashboard]:
    import psycopg
    import redis

    folder = tmp_path_factory.mktemp("jobs-under-load")
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS dashboard_jobs_load")
        connection.execute("CREATE DATABASE dashboard_jobs_load")
    redis_db = redis_url.rsplit("/", 1)[0] + "/3"  # a database of its own on the server
    redis.Redis.from_url(redis_db).flushdb()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "JOBS_", "DEMO_"))}
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    sandbox_env = base | {
        "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SANDBOX_LIMITS": f"{PER_MINUTE},50,15",
        "SANDBOX_CONTROL_TOKEN": CONTROL,
        "SANDBOX_LATENCY_MS": "20",
    }
    migrate(sandbox_env)
    with sandbox_server(sandbox_env, folder / "sandbox.log") as sandbox:
        site = Site(
            env=base | {
                "DATABASE_URL": postgres.url("dashboard_jobs_load"),
                "REDIS_URL": redis_db,
                "DEMO_MODE": "false",
                "ASANA_BASE_URL": sandbox,
                "ASANA_ACCESS_TOKEN": "jobs-under-load-token",
                "ASANA_REQUESTS_PER_MINUTE": str(PER_MINUTE),
                "SECRET_KEY": "jobs-under-load-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "STATIC_ROOT": str(folder / "static"),
            },
            logs=folder,
            sandbox_db=folder / "sandbox.sqlite3",
        )  # fmt: skip
        site.manage("migrate", "--noinput", "-v0")
        site.manage("collectstatic", "--noinput", "-v0")
        site.manage("shell", code=(
            "from django.contrib.auth import get_user_model\n"
            f"get_user_model().objects.create_superuser('boss', 'b@example.com', '{PASSWORD}')"
        ))  # fmt: skip
        port = free_port()
        log = folder / "gunicorn.log"
        with log.open("wb") as out:
            web = subprocess.Popen(
                [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                 "--threads", "4", "--timeout", "60"],
                cwd=REPO, env=site.env, stdout=out, stderr=out,
            )  # fmt: skip
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", web, log)
            yield Dashboard(site=site, url=f"http://127.0.0.1:{port}", sandbox=sandbox)
        finally:
            stop(web)


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": "boss", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=30,
    )
    assert "/accounts/login" not in answer.url, "signed in"
    return session


@dataclass
class PageLoads:
    """People using the dashboard while the job runs: each person loads a page, reads it
    for a moment, loads the next, until told to stop."""

    url: str
    paths: list[str]
    people: int = 2
    pause: float = 3.0  # about 40 loads a minute, one Asana request or less each

    def __post_init__(self) -> None:
        self.answers: list[tuple[str, int, float]] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._person, args=(n,), daemon=True)
            for n in range(self.people)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _person(self, n: int) -> None:
        session = signed_in(self.url)
        turn = n
        while not self._stop.is_set():
            path = self.paths[turn % len(self.paths)]
            started = time.perf_counter()
            status = session.get(self.url + path, timeout=120).status_code
            self.answers.append((path, status, time.perf_counter() - started))
            turn += 1
            self._stop.wait(self.pause)


def test_a_merge_stays_inside_the_budget_while_the_pages_keep_answering(
    dashboard: Dashboard,
) -> None:
    site = dashboard.site
    source, target = CATEGORY["sales"], CATEGORY["design"]
    moving = site.entries_of(source)
    assert len(moving) > PER_MINUTE, "more moves than the minute allows: the budget binds"
    job = site.start_job(source, target, kind="merge", days=None, after_merge="archive")
    pages = PageLoads(
        dashboard.url,
        [
            "/?refresh=1",  # the categories screen, asking Asana again
            f"/jobs/{job}/",
            f"/categories/{target}/entries/?range=this-week&refresh=1",
        ],
    )
    worker = site.worker(f"under-load-{job}")
    started = time.perf_counter()
    pages.start()
    try:
        # One read of the state: two could see "queued" then "running" and end the wait.
        wait_for(lambda: site.job_state(job) not in ("queued", "running"),
                 timeout=240, what=f"job {job} to end")  # fmt: skip
    finally:
        pages.stop()
        stop(worker)
    seconds = time.perf_counter() - started
    usage = sandbox_usage(dashboard.sandbox, CONTROL)
    statuses = [status for _, status, _ in pages.answers]
    worst = max(took for *_, took in pages.answers)
    print(  # shown with -s; the figures themselves belong to `make bench`
        f"\njob of {len(moving)} moves took {seconds:.0f} s; {len(statuses)} page loads,"
        f" worst {worst:.2f} s; statuses {sorted(set(statuses))}; sandbox {usage}"
    )

    assert site.job_state(job) == "done"
    assert site.entries_of(source) == []
    assert set(moving) <= set(site.entries_of(target))
    assert len(statuses) >= 10, "the pages were loaded all along"
    assert statuses.count(200) == len(statuses), pages.answers
    assert usage["requests"] > PER_MINUTE, "more than a minute's budget was sent, in all"
    assert usage["over_budget"] == 0, usage
    assert usage["peak_writes"] <= 15, usage
