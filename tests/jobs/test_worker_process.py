"""The queue with a real worker process (`manage.py jobs_worker`) on a database file the
test and the worker both see: a worker killed (SIGKILL) before, during or after a write and
started again finishes the job with nothing skipped and the journal agreeing with Asana."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.sandbox import NORTHWIND, REPO

# Northwind's categories in the seed's order; each test moves a source of its own.
CATEGORY = {name: f"12090000000000{n:02d}" for n, name in enumerate(
    ("engineering", "design", "workshops", "meetings", "support", "sales"), start=1)}  # fmt: skip


@dataclass
class Site:
    env: dict[str, str]
    db: Path
    logs: Path

    def manage(self, *args: str, code: str = "") -> str:
        command = [sys.executable, "manage.py", *args] + (["-c", code] if code else [])
        done = subprocess.run(
            command, cwd=REPO, env=self.env, check=True, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        return done.stdout.strip()

    def worker(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--interval", "0.1"],
            cwd=REPO, env=self.env | env, stdout=log, stderr=log,
        )  # fmt: skip

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def start_move(self, source: str, target: str, days: int = 120) -> int:
        code = (
            "import datetime as dt\n"
            "from categories.jobs.services import job_start\n"
            f"job = job_start(actor=None, kind='move', workspace_gid='{NORTHWIND}',"
            f" source_category_gid='{source}', source_category_name='Source',"
            f" target_category_gid='{target}', target_category_name='Target',"
            f" range_start=dt.date.today() - dt.timedelta(days={days}),"
            " range_end=dt.date.today())\n"
            "print(job.pk)"
        )
        return int(self.manage("shell", code=code).splitlines()[-1])

    def job_state(self, job: int) -> str:
        return self.query("SELECT state FROM jobs_job WHERE id = ?", job)[0][0]

    def rows(self, job: int) -> list[tuple[str, str, str, int]]:
        return self.query(
            "SELECT entry_gid, to_category_gid, state, attempts FROM jobs_jobentry"
            " WHERE job_id = ? ORDER BY id",
            job,
        )

    def categories_of(self, entry_gid: str) -> list[str]:
        found = self.query(
            "SELECT sandboxcategory_id FROM sandbox_sandboxentry_categories"
            " WHERE sandboxentry_id = ?",
            int(entry_gid[4:]),
        )
        return [f"1209{pk:012d}" for (pk,) in found]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("jobs-worker")
    db = folder / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "JOBS_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "ASANA_ACCESS_TOKEN": "",
        "ASANA_BUDGET_FILE": str(folder / "budget.sqlite3"),
        "PYTHONUNBUFFERED": "1",
    }
    site = Site(env=env, db=db, logs=folder)
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed_sandbox")
    return site


def wait_for(condition, *, timeout: float = 60, what: str = "") -> None:
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


def finish_with_a_new_worker(site: Site, job: int) -> None:
    worker = site.worker(f"resume-{job}")
    try:
        wait_for(lambda: site.job_state(job) == "done", what=f"job {job} to finish")
    finally:
        stop(worker)


def assert_journal_and_asana_agree(site: Site, job: int) -> None:
    rows = site.rows(job)
    assert rows, "the job planned some entries"
    assert {state for _, _, state, _ in rows} == {"done"}
    for entry_gid, target, _, _ in rows:
        assert site.categories_of(entry_gid) == [target]


def test_a_queued_job_is_run_by_a_worker_process(site: Site) -> None:
    job = site.start_move(CATEGORY["design"], CATEGORY["sales"], days=30)
    assert site.job_state(job) == "queued"

    finish_with_a_new_worker(site, job)

    assert_journal_and_asana_agree(site, job)
    assert all(attempts == 1 for *_, attempts in site.rows(job))


@pytest.mark.parametrize(
    ("point", "source", "resent"),
    [
        # Killed once the journal is written, before any write: nothing is in flight.
        ("planned", "workshops", 0),
        # Killed with a row marked writing whose PUT never left: it is sent (once more).
        ("before-write:4", "meetings", 1),
        # Killed after Asana applied a PUT, before the journal said so: read back, not resent.
        ("after-write:4", "support", 0),
    ],
)
def test_a_worker_killed_at_each_step_is_resumed_by_the_next(
    site: Site, point: str, source: str, resent: int
) -> None:
    job = site.start_move(CATEGORY[source], CATEGORY["engineering"])
    crashing = site.worker(f"crash-{job}", JOBS_CRASH_AT=point)
    assert crashing.wait(timeout=60) == -signal.SIGKILL
    assert site.job_state(job) == "running"
    in_flight = [row for row in site.rows(job) if row[2] == "writing"]
    assert len(in_flight) == (0 if point == "planned" else 1)

    finish_with_a_new_worker(site, job)

    assert_journal_and_asana_agree(site, job)
    attempts = [attempts for *_, attempts in site.rows(job)]
    assert sum(attempts) == len(attempts) + resent


def test_a_worker_killed_while_a_write_is_in_flight_is_resumed(site: Site) -> None:
    job = site.start_move(CATEGORY["design"], CATEGORY["workshops"], days=90)
    # Slow writes, so the kill lands while one is on its way.
    site.manage("shell", code=(
        "from categories.sandbox.faults import inject_fault\n"
        "inject_fault(kind='latency', method='PUT', latency_ms=1500)"))  # fmt: skip
    worker = site.worker(f"killed-{job}")
    try:
        wait_for(
            lambda: any(row[2] == "writing" for row in site.rows(job)),
            what="a write in flight",
        )
        time.sleep(0.3)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop(worker)
    site.manage("shell", code="from categories.sandbox.faults import clear_faults; clear_faults()")

    finish_with_a_new_worker(site, job)

    assert_journal_and_asana_agree(site, job)
    attempts = [attempts for *_, attempts in site.rows(job)]
    assert sum(attempts) <= len(attempts) + 1  # only the write in flight went twice


def test_a_worker_told_to_stop_leaves_the_job_between_writes_for_the_next(site: Site) -> None:
    job = site.start_move(CATEGORY["sales"], CATEGORY["design"], days=365)
    site.manage("shell", code=(
        "from categories.sandbox.faults import inject_fault\n"
        "inject_fault(kind='latency', method='PUT', latency_ms=300)"))  # fmt: skip
    worker = site.worker(f"stopped-{job}")
    try:
        wait_for(lambda: sum(row[2] == "done" for row in site.rows(job)) >= 2, what="two moves")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0  # it did not run the job to its end first
    finally:
        stop(worker)
    site.manage("shell", code="from categories.sandbox.faults import clear_faults; clear_faults()")
    assert site.job_state(job) == "running"
    assert any(row[2] == "pending" for row in site.rows(job))

    finish_with_a_new_worker(site, job)

    assert_journal_and_asana_agree(site, job)
    assert all(attempts == 1 for *_, attempts in site.rows(job))
