"""Starting, cancelling, undoing and retrying jobs (writes to the dashboard's database;
the moves themselves happen in a worker, see engine.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from categories.access.roles import is_asana_person
from categories.jobs.engine import worker_alive, worker_name
from categories.jobs.models import Job
from categories.jobs.tasks import run_job, runs_of_jobs_settle
from categories.models import AuditEntry

logger = logging.getLogger("categories.jobs")

AUDIT_ACTIONS = {
    Job.Kind.MOVE: AuditEntry.Action.JOB_MOVE,
    Job.Kind.MERGE: AuditEntry.Action.JOB_MERGE,
    Job.Kind.DELETE: AuditEntry.Action.JOB_DELETE,
    Job.Kind.TRIAGE: AuditEntry.Action.JOB_TRIAGE,
    Job.Kind.UNDO: AuditEntry.Action.JOB_UNDO,
    Job.Kind.RETRY: AuditEntry.Action.JOB_RETRY,
}


def job_start(
    *,
    actor: Any,
    kind: str,
    workspace_gid: str,
    workspace_name: str = "",
    acting_as: str = "",
    target_category_gid: str,
    target_category_name: str = "",
    source_category_gid: str = "",
    source_category_name: str = "",
    uncategorised: bool = False,
    entry_gids: Sequence[str] = (),
    range_start: dt.date | None = None,
    range_end: dt.date | None = None,
    person_gid: str = "",
    project_gid: str = "",
    after_merge: str = "",
    parent: Job | None = None,
) -> Job:
    """Record the job and its audit entry, and queue it once the transaction commits (so
    a worker never looks for a job that is not there yet)."""
    username = getattr(actor, "get_username", lambda: "")() or "anonymous"
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            started_by=actor if getattr(actor, "pk", None) else None,
            started_by_username=username,
            acting_as=acting_as,
            with_own_sign_in=bool(getattr(actor, "pk", None)) and is_asana_person(actor),
            workspace_gid=workspace_gid,
            workspace_name=workspace_name,
            source_category_gid=source_category_gid,
            source_category_name=source_category_name,
            uncategorised=uncategorised,
            entry_gids=sorted(set(entry_gids)),
            range_start=range_start,
            range_end=range_end,
            person_gid=person_gid,
            project_gid=project_gid,
            target_category_gid=target_category_gid,
            target_category_name=target_category_name,
            after_merge=after_merge,
            parent=parent,
        )
        job.audit_entry = AuditEntry.objects.create(
            actor=job.started_by,
            actor_username=username,
            action=AUDIT_ACTIONS[Job.Kind(kind)],
            workspace_gid=workspace_gid,
            category_gid=source_category_gid or target_category_gid,
            category_name=source_category_name or target_category_name,
            before={"job": job.pk, "from": job.source_label, "to": job.target_label},
        )
        job.save(update_fields=["audit_entry"])
        transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def job_enqueue(*, job: Job) -> None:
    run_job.enqueue(job.pk)


def job_cancel(*, job: Job) -> bool:
    """Ask the worker to stop between writes; a job no worker has started stops at once."""
    if Job.objects.filter(pk=job.pk, state=Job.State.QUEUED, worker="").update(
        state=Job.State.CANCELLED
    ):
        return True
    return bool(
        Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(state=Job.State.CANCELLING)
    )


def job_undo(*, actor: Any, job: Job, acting_as: str = "") -> Job:
    """A new job putting exactly the entries this one moved back where each one was."""
    return job_start(
        actor=actor,
        kind=Job.Kind.UNDO,
        workspace_gid=job.workspace_gid,
        workspace_name=job.workspace_name,
        acting_as=acting_as,
        source_category_gid=job.target_category_gid,
        source_category_name=job.target_category_name,
        uncategorised=not job.target_category_gid,
        target_category_gid=job.source_category_gid,
        target_category_name=job.source_category_name,
        parent=job,
    )


def job_retry_failed(*, actor: Any, job: Job, acting_as: str = "") -> Job:
    """A new job sending the entries this one could not move (and, when it stopped, the
    ones it never got to) once more."""
    return job_start(
        actor=actor,
        kind=Job.Kind.RETRY,
        workspace_gid=job.workspace_gid,
        workspace_name=job.workspace_name,
        acting_as=acting_as,
        source_category_gid=job.source_category_gid,
        source_category_name=job.source_category_name,
        uncategorised=job.uncategorised,
        target_category_gid=job.target_category_gid,
        target_category_name=job.target_category_name,
        parent=job,
    )


def jobs_resume_abandoned() -> list[int]:
    """Queue again every unfinished job whose worker is gone (killed, machine lost): the
    worker that takes it resumes from the journal. Run by every worker at start and every
    few seconds while it runs.

    A job no worker has taken yet needs a run of the queue that will: a worker killed
    after the queue handed it the job, before it took the job, leaves none (its run's
    record is closed as failed by `runs_of_jobs_settle`, and no other worker would pick
    that run up)."""
    resumed = []
    with_a_live_run = runs_of_jobs_settle()
    unfinished = Job.objects.filter(state__in=Job.UNFINISHED)
    # This process's own jobs are running here (it is alive to ask).
    for job in unfinished.exclude(worker=worker_name()):
        if job.pk in with_a_live_run:
            continue  # a run is waiting for a worker, or a live worker is taking it
        if not job.worker or not worker_alive(job.worker, job.heartbeat_at):
            job_enqueue(job=job)
            resumed.append(job.pk)
    if resumed:
        logger.warning("resuming jobs whose worker is gone: %s", resumed)
    return resumed
