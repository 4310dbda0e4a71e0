"""The job engine, run in this process against the demo sandbox: plan, move, fail per
entry, undo, retry, cancel, and resume from what a crash left in the journal."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from categories.jobs import engine
from categories.jobs.models import Job, JobEntry
from categories.jobs.services import (
    job_cancel,
    job_retry_failed,
    job_start,
    job_undo,
    jobs_resume_abandoned,
)
from categories.jobs.tasks import run_job
from categories.models import AuditEntry
from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory, SandboxEntry
from tests.jobs.conftest import SALES, design_to_sales, entries_of, placement
from tests.support.sandbox import ACME, DESIGN, ENGINEERING, NORTHWIND

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def move(actor, **options) -> Job:
    job = design_to_sales(actor, **options)
    engine.job_execute(job_id=job.pk)
    job.refresh_from_db()
    return job


def rows(job: Job) -> list[JobEntry]:
    return list(JobEntry.objects.filter(job=job).order_by("id"))


def test_a_move_journals_every_entry_then_moves_each_to_the_target(category_admin) -> None:
    design_before = set(entries_of(DESIGN))

    job = move(category_admin)

    moved = [row.entry_gid for row in rows(job)]
    assert moved, "Design has time in the last 20 days"
    assert job.state == Job.State.DONE
    assert job.total == job.done_count == len(moved)
    assert all(row.state == JobEntry.State.DONE and row.attempts == 1 for row in rows(job))
    assert all(row.from_category_gid == DESIGN for row in rows(job))
    assert placement(moved) == {gid: [SALES] for gid in moved}
    assert set(entries_of(DESIGN)) == design_before - set(moved)


def test_only_the_chosen_entries_move(category_admin) -> None:
    chosen = entries_of(DESIGN)[-3:]

    job = move(category_admin, entry_gids=chosen, range_start=None, range_end=None)

    assert sorted(row.entry_gid for row in rows(job)) == sorted(chosen)
    assert placement(chosen) == {gid: [SALES] for gid in chosen}


def test_a_chosen_entry_no_longer_in_the_source_is_a_failure_not_a_silent_skip(
    category_admin,
) -> None:
    gone = entries_of(ENGINEERING)[0]

    job = move(category_admin, entry_gids=[gone], range_start=None, range_end=None)

    (row,) = rows(job)
    assert row.state == JobEntry.State.FAILED
    assert "No longer in Design" in row.message
    assert placement([gone]) == {gone: [ENGINEERING]}


def test_one_audit_entry_per_job_with_its_counts(category_admin) -> None:
    job = move(category_admin)

    audit = AuditEntry.objects.get(pk=job.audit_entry_id)
    assert audit.action == AuditEntry.Action.JOB_MOVE
    assert audit.actor == category_admin
    assert audit.outcome == AuditEntry.Outcome.SUCCEEDED
    assert audit.after["moved"] == job.done_count
    assert audit.after["failed"] == 0


def test_undo_puts_exactly_the_moved_entries_back(category_admin) -> None:
    before_design = entries_of(DESIGN)
    before_sales = entries_of(SALES)
    job = move(category_admin)

    undo = job_undo(actor=category_admin, job=job)
    engine.job_execute(job_id=undo.pk)
    undo.refresh_from_db()

    assert undo.state == Job.State.DONE
    assert undo.done_count == job.done_count
    assert entries_of(DESIGN) == before_design
    assert entries_of(SALES) == before_sales


def test_moving_to_no_category_and_filing_uncategorised_time(category_admin) -> None:
    job = move(category_admin, target_category_gid="", target_category_name="")
    moved = [row.entry_gid for row in rows(job)]
    assert placement(moved) == {gid: [] for gid in moved}

    triage = move(
        category_admin,
        kind=Job.Kind.TRIAGE,
        source_category_gid="",
        source_category_name="",
        uncategorised=True,
        entry_gids=moved,
        target_category_gid=DESIGN,
        target_category_name="Design",
    )

    assert triage.done_count == len(moved)
    assert placement(moved) == {gid: [DESIGN] for gid in moved}


def test_a_merge_moves_every_entry_of_all_dates_then_archives_the_source(
    category_admin,
) -> None:
    legacy = entries_of(SALES)

    job = move(
        category_admin,
        kind=Job.Kind.MERGE,
        source_category_gid=SALES,
        source_category_name="Sales",
        target_category_gid=DESIGN,
        target_category_name="Design",
        range_start=None,
        range_end=None,
        after_merge=Job.AfterMerge.ARCHIVE,
    )

    assert job.done_count == len(legacy) > 100
    assert entries_of(SALES) == []
    assert SandboxCategory.find(SALES).is_archived
    assert "archived" in job.message


def test_delete_with_move_deletes_the_source_once_its_time_has_moved(category_admin) -> None:
    job = move(
        category_admin,
        kind=Job.Kind.DELETE,
        source_category_gid=SALES,
        source_category_name="Sales",
        target_category_gid=DESIGN,
        target_category_name="Design",
        range_start=None,
        range_end=None,
        after_merge=Job.AfterMerge.DELETE,
    )

    assert job.state == Job.State.DONE
    assert SandboxCategory.find(SALES) is None
    assert "deleted" in job.message


def acme_category_with_approved_time() -> tuple[str, str]:
    entry = SandboxEntry.objects.filter(approval_status="APPROVED").earliest("id")
    source = entry.categories.get()
    target = SandboxCategory.objects.filter(workspace_id=source.workspace_id).exclude(pk=source.pk)[
        0
    ]
    return source.gid, target.gid


def test_a_refused_entry_fails_with_asanas_message_the_rest_moves_and_the_source_stays(
    category_admin,
) -> None:
    source, target = acme_category_with_approved_time()

    job = move(
        category_admin,
        kind=Job.Kind.MERGE,
        workspace_gid=ACME,
        source_category_gid=source,
        source_category_name="Acme source",
        target_category_gid=target,
        target_category_name="Acme target",
        range_start=None,
        range_end=None,
        after_merge=Job.AfterMerge.ARCHIVE,
    )

    failed = [row for row in rows(job) if row.state == JobEntry.State.FAILED]
    assert failed
    assert all("approved" in row.message for row in failed)
    assert job.done_count == job.total - len(failed)
    assert job.state == Job.State.DONE
    assert not SandboxCategory.find(source).is_archived
    assert "was kept" in job.message
    assert AuditEntry.objects.get(pk=job.audit_entry_id).outcome == AuditEntry.Outcome.FAILED

    # Once the timesheets are reopened, retrying sends exactly the failed entries again.
    SandboxEntry.objects.filter(approval_status="APPROVED").update(approval_status="DRAFT")
    retry = job_retry_failed(actor=category_admin, job=job)
    engine.job_execute(job_id=retry.pk)
    retry.refresh_from_db()
    assert sorted(r.entry_gid for r in rows(retry)) == sorted(r.entry_gid for r in failed)
    assert retry.done_count == len(failed)
    assert entries_of(source) == []


def test_a_write_that_fails_on_asanas_side_is_resent_and_lands_once(category_admin) -> None:
    inject_fault(kind="status", status=503, method="PUT", times=2)

    job = move(category_admin)

    assert job.state == Job.State.DONE
    assert job.failed_count == 0
    moved = [row.entry_gid for row in rows(job)]
    assert placement(moved) == {gid: [SALES] for gid in moved}


def test_cancel_stops_between_writes(category_admin, monkeypatch) -> None:
    sent = []
    real_send = engine._send

    def send_then_cancel(client, row):
        sent.append(row.entry_gid)
        if len(sent) == 2:
            job_cancel(job=Job.objects.get(pk=row.job_id))
        return real_send(client, row)

    monkeypatch.setattr(engine, "_send", send_then_cancel)
    monkeypatch.setattr(engine, "HEARTBEAT_SECONDS", 0)

    job = move(category_admin, range_start=dt.date.today() - dt.timedelta(days=90))

    assert job.state == Job.State.CANCELLED
    states = [row.state for row in rows(job)]
    assert states.count(JobEntry.State.DONE) == len(sent) < len(states)
    assert set(states) == {JobEntry.State.DONE, JobEntry.State.SKIPPED}


def test_resume_confirms_writes_that_landed_and_resends_those_that_did_not(
    category_admin,
) -> None:
    job = design_to_sales(category_admin, days=30)
    engine._plan(job, engine.asana_client())
    landed, lost, *_ = rows(job)
    # As a killed worker leaves it: both marked writing, only the first reached Asana.
    SandboxEntry.objects.get(pk=SandboxEntry.pk_from_gid(landed.entry_gid)).categories.set(
        [SandboxCategory.find(SALES)]
    )
    JobEntry.objects.filter(pk__in=[landed.pk, lost.pk]).update(
        state=JobEntry.State.WRITING, attempts=1
    )
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, worker="elsewhere:1")

    engine.job_execute(job_id=job.pk)

    job.refresh_from_db()
    landed.refresh_from_db()
    lost.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (landed.state, landed.attempts) == (JobEntry.State.DONE, 1)  # not written twice
    assert (lost.state, lost.attempts) == (JobEntry.State.DONE, 2)
    moved = [row.entry_gid for row in rows(job)]
    assert placement(moved) == {gid: [SALES] for gid in moved}


def test_a_spent_budget_pauses_the_job_instead_of_failing_entries(
    category_admin, monkeypatch
) -> None:
    from categories.asana import AsanaClient, BudgetExhausted

    real_update = AsanaClient.update_time_entry
    refusals = []

    def budget_spent_at_first(self, gid, **changes):
        if len(refusals) < 3:
            refusals.append(gid)
            raise BudgetExhausted("Asana's rate limit for this token is reached.", retry_after=0.05)
        return real_update(self, gid, **changes)

    monkeypatch.setattr(AsanaClient, "update_time_entry", budget_spent_at_first)

    job = move(category_admin)

    assert len(refusals) == 3
    assert job.state == Job.State.DONE
    assert job.failed_count == 0
    assert all(row.attempts == 1 for row in rows(job))  # what never left is not counted


# --- the queue's records of the runs, when workers die ----------------------------------------


def dead_worker() -> str:
    """A worker name on this machine with no process (pids stay below 2**22 on Linux)."""
    return f"{engine.worker_name().rpartition(':')[0]}:{2**22 + 1}"


def queued(actor) -> Job:
    with_run = job_start(
        actor=actor,
        kind=Job.Kind.MOVE,
        workspace_gid=NORTHWIND,
        source_category_gid=DESIGN,
        target_category_gid=SALES,
    )
    run_job.enqueue(with_run.pk)  # what the commit of job_start does
    return with_run


def test_a_job_whose_run_waits_for_a_worker_is_not_queued_again(category_admin) -> None:
    job = queued(category_admin)

    assert jobs_resume_abandoned() == []
    assert jobs_resume_abandoned() == []  # the watcher's scans do not pile up runs

    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1


def test_a_run_whose_worker_died_is_closed_as_failed_and_the_job_queued_again(
    category_admin,
) -> None:
    job = queued(category_admin)
    run = DBTaskResult.objects.get()
    run.claim(dead_worker())  # taken by a worker that died before it took the job

    assert jobs_resume_abandoned() == [job.pk]

    run.refresh_from_db()
    assert run.status == TaskResultStatus.FAILED
    assert run.exception_class_path == "categories.jobs.tasks.WorkerLost"
    assert "resumes from its journal" in run.traceback
    waiting = DBTaskResult.objects.exclude(pk=run.pk).get()
    assert (waiting.status, waiting.args_kwargs["args"]) == (TaskResultStatus.READY, [job.pk])


def test_a_run_in_a_live_worker_is_left_alone(category_admin) -> None:
    job = queued(category_admin)
    run = DBTaskResult.objects.get()
    run.claim(f"{engine.worker_name().rpartition(':')[0]}:{os.getppid()}")  # alive: our parent
    Job.objects.filter(pk=job.pk).update(worker=run.worker_ids[-1], state=Job.State.RUNNING)

    assert jobs_resume_abandoned() == []

    run.refresh_from_db()
    assert run.status == TaskResultStatus.RUNNING
