"""(g) Merging the busiest category (Engineering, about 2,800 entries) as a background job.

A sandbox of its own (one process, 50 ms a request, enforcing Asana's limits for the
token: 1,500 a minute, 15 concurrent writes) on a fresh copy of the demo data; a real job
worker process (`manage.py jobs_worker`) with the token; and, while the job runs, the home
page through Django in this process, cache cold each time, sharing the token's budget
with the worker. Reads the sandbox's counters at the end: requests refused as over the
budget, and the peak of concurrent writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import subprocess
import sys
import time
from typing import Any

import requests

from . import report
from .environment import (
    BENCH_TODAY,
    ENGINEERING,
    NORTHWIND,
    REPO_ROOT,
    base_env,
    manage,
    sandbox_server,
)
from .report import Row

DESIGN = "1209000000000002"
TARGET_MOVES_PER_MINUTE = 1000
MAX_WRITES = 15
HOME_TARGET_SECONDS = 1.0
JOB_TIMEOUT_SECONDS = 900


def measure_merge(bench: Any) -> list[Row]:
    from django.conf import settings

    folder = bench.env.workdir / "merge"
    folder.mkdir()
    control = secrets.token_urlsafe(16)
    common = base_env(folder)
    sandbox_env = common | {
        "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SANDBOX_LIMITS": "1500,50,15",
        "SANDBOX_CONTROL_TOKEN": control,
    }
    manage(sandbox_env, "migrate", "--noinput", "--verbosity", "0")
    manage(sandbox_env, "seed_sandbox", "--today", BENCH_TODAY.isoformat())
    latency = bench.env.latency_ms
    log = folder / "sandbox.log"
    with sandbox_server(sandbox_env, latency_ms=latency, processes=1, log=log) as base_url:
        worker_env = common | {
            "DATABASE_URL": f"sqlite:///{folder / 'dashboard.sqlite3'}",
            "ASANA_BASE_URL": base_url,
            "ASANA_REQUESTS_PER_MINUTE": "1500",
            # The budget this process's pages use too: one token, one budget.
            "ASANA_BUDGET_FILE": str(settings.ASANA_BUDGET_FILE),
        }
        manage(worker_env, "migrate", "--noinput", "--verbosity", "0")
        _forget_budget()
        job = _start_merge(worker_env)
        worker = _worker(worker_env, folder)
        try:
            home = _home_page_while(bench, base_url, lambda: _finished(folder, job))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        usage = requests.get(
            base_url.rsplit("/api/", 1)[0] + "/_sandbox/usage",
            headers={"Authorization": f"Bearer {control}"},
            timeout=10,
        ).json()["data"]
    return _rows(_job_figures(folder, job), usage, home, latency)


def _forget_budget() -> None:
    from categories.web.client import asana_client

    budget = getattr(asana_client(), "_budget", None)
    store = getattr(budget, "store", None)
    if store is not None:
        store.forget()


def _start_merge(env: dict[str, str]) -> int:
    code = (
        "from categories.jobs.services import job_start\n"
        f"job = job_start(actor=None, kind='merge', workspace_gid='{NORTHWIND}',"
        f" source_category_gid='{ENGINEERING}', source_category_name='Engineering',"
        f" target_category_gid='{DESIGN}', target_category_name='Design',"
        " after_merge='archive')\n"
        "print(job.pk)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def _worker(env: dict[str, str], folder: Any) -> subprocess.Popen[bytes]:
    log = (folder / "worker.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.2"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip


def _query(folder: Any, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(folder / "dashboard.sqlite3", timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def _finished(folder: Any, job: int) -> bool:
    (state,) = _query(folder, "SELECT state FROM jobs_job WHERE id = ?", job)[0]
    return state in ("done", "failed", "cancelled")


def _home_page_while(bench: Any, base_url: str, finished: Any) -> list[float]:
    """The categories screen, cache cold, every second until the job has finished."""
    from django.conf import settings
    from django.core.cache import cache

    from categories.web.client import asana_client

    original = settings.ASANA_BASE_URL
    settings.ASANA_BASE_URL = base_url
    asana_client.cache_clear()
    client, user = bench.http()
    client.force_login(user)
    client.get("/")  # untimed: the first request of a process compiles templates and such
    times: list[float] = []
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    try:
        while not finished() and time.monotonic() < deadline:
            cache.clear()
            client.force_login(user)
            started = time.perf_counter()
            response = client.get("/")
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"the home page answered {response.status_code}")
            time.sleep(1.0)
    finally:
        settings.ASANA_BASE_URL = original
        asana_client.cache_clear()
    return times


def _job_figures(folder: Any, job: int) -> dict[str, Any]:
    row = _query(
        folder,
        "SELECT state, total, done_count, failed_count, started_at, finished_at, message"
        " FROM jobs_job WHERE id = ?",
        job,
    )[0]
    state, total, done, failed, started, finished, message = row
    seconds = (
        dt.datetime.fromisoformat(finished) - dt.datetime.fromisoformat(started)
    ).total_seconds()
    return {
        "state": state, "total": total, "done": done, "failed": failed,
        "seconds": seconds, "message": message,
    }  # fmt: skip


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _rows(job: dict[str, Any], usage: dict[str, int], home: list[float], latency: int) -> list[Row]:
    per_minute = job["done"] / job["seconds"] * 60 if job["seconds"] else 0.0
    label = f"(g) merge Engineering ({job['total']} entries) as a job"
    worst = max(home, default=0.0)
    return [
        Row(
            f"{label}: moves a minute",
            f"{per_minute:,.0f}/min ({job['done']} moved, {job['failed']} failed,"
            f" {job['seconds']:.0f} s, {job['state']})",
            "budget 1,500/min (jobs 80 %)",
            f"{latency} ms a request",
            f"≥ {TARGET_MOVES_PER_MINUTE:,}/min",
            per_minute >= TARGET_MOVES_PER_MINUTE and job["state"] == "done",
        ),
        Row(
            "(g) peak concurrent writes",
            str(usage.get("peak_writes", "?")),
            "Asana allows 15",
            "",
            f"≤ {MAX_WRITES}",
            usage.get("peak_writes", MAX_WRITES + 1) <= MAX_WRITES,
        ),
        Row(
            "(g) requests over the budget",
            str(usage.get("over_budget", "?")),
            f"{usage.get('requests', '?')} sent",
            "",
            "0",
            usage.get("over_budget", 1) == 0,
        ),
        Row(
            "(g) home page while the job runs (cache cold)",
            f"median {report.ms(report.median(home))}, p95 {report.ms(_p95(home))},"
            f" worst {report.ms(worst)}"
            if home
            else "not sampled",
            f"{len(home)} loads",
            "",
            "< 1 s",
            bool(home) and worst < HOME_TARGET_SECONDS,
        ),
    ]
