"""The queue with a real worker process (`manage.py jobs_worker`) on a database file the
test and the worker both see: a worker killed (SIGKILL) before, during or after a write and
started again finishes the job with nothing skipped and the journal agreeing with Asana,
and the queue's records of the killed runs are closed. In demo mode (its crash points),
and with a real token against the HTTP sandbox (a merge, its worker killed half-way)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from tests.support.job_worker import (
    CATEGORY,
    Site,
    assert_every_run_ended,
    assert_journal_and_asana_agree,
    finish_with_a_new_worker,
    migrate,
    sandbox_server,
    sandbox_usage,
    stop,
    wait_for,
)


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
    site = Site(env=env, logs=folder, sandbox_db=db)
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed_sandbox")
    return site


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
    assert_every_run_ended(site)
    assert ("FAILED", "categories.jobs.tasks.WorkerLost") in site.task_runs()


def test_a_worker_killed_before_it_took_its_job_leaves_it_to_the_next(site: Site) -> None:
    job = site.start_move(CATEGORY["sales"], CATEGORY["workshops"], days=20)
    # The queue has handed the worker the job (its run RUNNING), the job is not taken yet.
    crashing = site.worker(f"crash-started-{job}", JOBS_CRASH_AT="started")
    assert crashing.wait(timeout=60) == -signal.SIGKILL
    assert site.job_state(job) == "queued"

    finish_with_a_new_worker(site, job, timeout=30)

    assert_journal_and_asana_agree(site, job)
    assert_every_run_ended(site)


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
    assert_every_run_ended(site)


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


# --- with a real token, against the HTTP sandbox (not demo mode) -----------------------------

SANDBOX_CONTROL = "jobs-worker-http-control"


@pytest.fixture(scope="module")
def http_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    """A dashboard with a real token against the sandbox served over HTTP, enforcing
    Asana's limits for the token (1,500 a minute, 15 concurrent writes) and counting any
    request over them; yields the site and the sandbox's base URL."""
    folder = tmp_path_factory.mktemp("jobs-worker-http")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "JOBS_", "DEMO_"))}
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    sandbox_env = base | {
        "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SANDBOX_LIMITS": "1500,50,15",
        "SANDBOX_CONTROL_TOKEN": SANDBOX_CONTROL,
        "SANDBOX_LATENCY_MS": "40",  # so the kill lands with part of the job still to do
    }
    migrate(sandbox_env)
    with sandbox_server(sandbox_env, folder / "sandbox.log") as base_url:
        site = Site(
            env=base | {
                "DATABASE_URL": f"sqlite:///{folder / 'dashboard.sqlite3'}",
                "DEMO_MODE": "false",
                "ASANA_ACCESS_TOKEN": "jobs-worker-http-token",
                "ASANA_BASE_URL": base_url,
                "ASANA_REQUESTS_PER_MINUTE": "1500",
                "ASANA_BUDGET_FILE": str(folder / "budget.sqlite3"),
            },
            logs=folder,
            sandbox_db=folder / "sandbox.sqlite3",
        )  # fmt: skip
        site.manage("migrate", "--noinput", "-v0")
        yield site, base_url


def test_a_merge_with_a_real_token_survives_its_worker_killed_half_way(
    http_site: tuple[Site, str],
) -> None:
    site, base_url = http_site
    source, target = CATEGORY["sales"], CATEGORY["support"]
    moving = site.entries_of(source)
    before = site.snapshot()
    job = site.start_job(source, target, kind="merge", days=None, after_merge="archive")

    worker = site.worker(f"http-killed-{job}")
    try:
        wait_for(lambda: moved(site, job) >= len(moving) // 2, what="half of the moves")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop(worker)
    at_kill = [state for _, _, state, _ in site.rows(job)]
    assert 0 < at_kill.count("done") < len(moving), "killed half-way, not before or after"
    in_flight = at_kill.count("writing")

    finish_with_a_new_worker(site, job)

    assert_journal_and_asana_agree(site, job)
    assert sorted(gid for gid, *_ in site.rows(job)) == moving
    assert site.entries_of(source) == []
    attempts = [attempts for *_, attempts in site.rows(job)]
    assert sum(attempts) <= len(attempts) + in_flight  # only writes in flight went twice
    after = site.snapshot()
    assert after["entries"] == moved_to(before["entries"], set(moving), target)
    changed = [
        old
        for old, new in zip(before["categories"], after["categories"], strict=True)
        if old != new
    ]
    assert [row[0] for row in changed] == [int(source[4:])]  # the merged one, archived
    usage = sandbox_usage(base_url, SANDBOX_CONTROL)
    assert usage["over_budget"] == 0, usage
    assert usage["peak_writes"] <= 15, usage


def moved(site: Site, job: int) -> int:
    return sum(state == "done" for _, _, state, _ in site.rows(job))


def moved_to(
    entries: dict[int, tuple[tuple, list[int]]], gids: set[str], target: str
) -> dict[int, tuple[tuple, list[int]]]:
    """The sandbox's entries as they should be after the move: the moved ones in the target
    and otherwise as they were, every other entry untouched."""
    pks = {int(gid[4:]) for gid in gids}
    return {
        pk: (row, [int(target[4:])] if pk in pks else categories)
        for pk, (row, categories) in entries.items()
    }
