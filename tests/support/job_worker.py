"""Real job workers (`manage.py jobs_worker`) for the queue's tests: a dashboard database
the test and the worker processes both see, Asana's stand-in (the in-process demo sandbox
or the HTTP sandbox server) whose tables the test reads to compare with the journal, and
the waits and stops around killing workers."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support.sandbox import NORTHWIND, REPO
from tests.support.servers import free_port
from tests.support.site import wait_for_http

# Northwind's categories in the seed's order (entries in the seed: Engineering about 2,500,
# Design 550, Workshops 355, Meetings 376, Support 320, Sales 228).
CATEGORY = {name: f"12090000000000{n:02d}" for n, name in enumerate(
    ("engineering", "design", "workshops", "meetings", "support", "sales"), start=1)}  # fmt: skip
TASKS_TABLE = "django_tasks_database_dbtaskresult"


@dataclass
class Site:
    """A dashboard's environment for `manage.py` subprocesses, and what it keeps."""

    env: dict[str, str]
    logs: Path
    sandbox_db: Path  # the sandbox's SQLite file (the dashboard's own one in demo mode)

    def manage(self, *args: str, code: str = "") -> str:
        command = [sys.executable, "manage.py", *args] + (["-c", code] if code else [])
        done = subprocess.run(
            command, cwd=REPO, env=self.env, check=True, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        return done.stdout.strip()

    def worker(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--interval", "0.1"],
            cwd=REPO, env=self.env | env, stdout=log, stderr=log,
        )  # fmt: skip

    def query(self, sql: str, *params: object) -> list[tuple]:
        """The dashboard's database (SQLite or PostgreSQL); `?` marks a parameter."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            return _sqlite(Path(url.removeprefix("sqlite:///")), sql, params)
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
            return connection.execute(sql.replace("?", "%s"), params).fetchall()

    def sandbox(self, sql: str, *params: object) -> list[tuple]:
        return _sqlite(self.sandbox_db, sql, params)

    def start_job(
        self,
        source: str,
        target: str,
        *,
        kind: str = "move",
        days: int | None = 120,
        after_merge: str = "",
    ) -> int:
        dates = "range_start=None, range_end=None"  # a merge: every date
        if days is not None:
            dates = (
                f"range_start=dt.date.today() - dt.timedelta(days={days}),"
                " range_end=dt.date.today()"
            )
        code = (
            "import datetime as dt\n"
            "from categories.jobs.services import job_start\n"
            f"job = job_start(actor=None, kind='{kind}', workspace_gid='{NORTHWIND}',"
            f" source_category_gid='{source}', source_category_name='Source',"
            f" target_category_gid='{target}', target_category_name='Target',"
            f" after_merge='{after_merge}', {dates})\n"
            "print(job.pk)"
        )
        return int(self.manage("shell", code=code).splitlines()[-1])

    def start_move(self, source: str, target: str, days: int = 120) -> int:
        return self.start_job(source, target, days=days)

    def job_state(self, job: int) -> str:
        return self.query("SELECT state FROM jobs_job WHERE id = ?", job)[0][0]

    def rows(self, job: int) -> list[tuple[str, str, str, int]]:
        return self.query(
            "SELECT entry_gid, to_category_gid, state, attempts FROM jobs_jobentry"
            " WHERE job_id = ? ORDER BY id",
            job,
        )

    def task_runs(self) -> list[tuple[str, str]]:
        """django-tasks' record of each run of a job: (status, exception class path)."""
        return self.query(f"SELECT status, exception_class_path FROM {TASKS_TABLE}")  # noqa: S608

    def categories_of(self, entry_gid: str) -> list[str]:
        found = self.sandbox(
            "SELECT sandboxcategory_id FROM sandbox_sandboxentry_categories"
            " WHERE sandboxentry_id = ?",
            int(entry_gid[4:]),
        )
        return [f"1209{pk:012d}" for (pk,) in found]

    def entries_of(self, category_gid: str) -> list[str]:
        found = self.sandbox(
            "SELECT sandboxentry_id FROM sandbox_sandboxentry_categories"
            " WHERE sandboxcategory_id = ? ORDER BY sandboxentry_id",
            int(category_gid[4:]),
        )
        return [f"1210{pk:012d}" for (pk,) in found]

    def snapshot(self) -> dict[str, Any]:
        """Everything the sandbox holds of the workspaces' time: every entry's fields and
        categories, every category's name, colour and archived flag."""
        entries = self.sandbox("SELECT * FROM sandbox_sandboxentry ORDER BY id")
        links = self.sandbox(
            "SELECT sandboxentry_id, sandboxcategory_id FROM sandbox_sandboxentry_categories"
        )
        categories: dict[int, list[int]] = {}
        for entry_id, category_id in sorted(links):
            categories.setdefault(entry_id, []).append(category_id)
        return {
            "entries": {row[0]: (row, categories.get(row[0], [])) for row in entries},
            "categories": self.sandbox("SELECT * FROM sandbox_sandboxcategory ORDER BY id"),
        }


def _sqlite(path: Path, sql: str, params: tuple[object, ...]) -> list[tuple]:
    with sqlite3.connect(path, timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def finish_with_a_new_worker(site: Site, job: int, *, timeout: float = 60) -> None:
    worker = site.worker(f"resume-{job}")
    try:
        wait_for(lambda: site.job_state(job) == "done", timeout=timeout, what=f"job {job}")
    finally:
        stop(worker)


def assert_journal_and_asana_agree(site: Site, job: int) -> None:
    rows = site.rows(job)
    assert rows, "the job planned some entries"
    assert {state for _, _, state, _ in rows} == {"done"}
    for entry_gid, target, _, _ in rows:
        assert site.categories_of(entry_gid) == [target]


def assert_every_run_ended(site: Site) -> None:
    """No record of the queue says a run is under way once the jobs have ended: a killed
    worker's run is closed as failed, saying its worker was lost."""
    runs = site.task_runs()
    assert [status for status, _ in runs if status in ("READY", "RUNNING")] == [], runs


# --- the HTTP sandbox ----------------------------------------------------------------------


def migrate(env: dict[str, str]) -> None:
    """Create the tables of the database `env` names (a sandbox's, before it serves)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO, env=env, check=True, timeout=300,
    )  # fmt: skip


@contextmanager
def sandbox_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`manage.py asana_sandbox` on a free port (seeding its database when empty); yields
    the API's base URL, then stops it."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "asana_sandbox", "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/api/1.0"
    try:
        wait_for_http(f"{base_url}/users/me", process, log)
        yield base_url
    finally:
        stop(process)


def sandbox_usage(base_url: str, control_token: str) -> dict[str, int]:
    """The sandbox's counters: requests, over_budget (refused as over the token's
    limits), peak_reads, peak_writes."""
    answer = requests.get(
        base_url.rsplit("/api/", 1)[0] + "/_sandbox/usage",
        headers={"Authorization": f"Bearer {control_token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["data"]
