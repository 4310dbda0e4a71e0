"""The one task of the durable queue (run or resume a job), and the queue's records of it.

django-tasks marks a run RUNNING when a worker takes it and SUCCESSFUL or FAILED when the
worker says so: a worker killed mid-run says nothing, and its record would stay RUNNING
forever (the admin's task list showing a run that no process runs, which
`prune_db_task_results` never removes). The records of runs whose worker is gone are
closed here, as failed, when the job is resumed (see services.jobs_resume_abandoned).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from categories.jobs import engine
from categories.jobs.models import Job

QUEUE = "jobs"


@task(queue_name=QUEUE)
def run_job(job_id: int) -> None:
    """Runs a job to its end; a job another live worker holds is left to it."""
    engine.job_execute(job_id=job_id)


class WorkerLost(Exception):
    """Recorded on a run whose worker stopped without ending it (killed, machine lost)."""


@dataclass(frozen=True)
class Run:
    record: DBTaskResult
    job_id: int
    runner: str  # the worker that took it ("" while it waits for one)
    started_at: dt.datetime | None


def runs_of_jobs_settle() -> set[int]:
    """Close the records of runs whose worker is gone (FAILED, saying so); return the jobs
    that still have a run waiting for a worker or under way in a live one."""
    runs = [_run(record) for record in _unended_records()]
    jobs = Job.objects.in_bulk({run.job_id for run in runs})
    live: set[int] = set()
    for run in runs:
        if not run.runner or _runner_alive(run, jobs.get(run.job_id)):
            live.add(run.job_id)
            continue
        run.record.set_failed(
            WorkerLost(
                f"The worker {run.runner} stopped before this run of job {run.job_id} ended;"
                " the job resumes from its journal in another run."
            )
        )
    return live


def _unended_records() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=run_job.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
    )


def _run(record: DBTaskResult) -> Run:
    running = record.status == TaskResultStatus.RUNNING
    return Run(
        record=record,
        job_id=int(record.args_kwargs["args"][0]),
        runner=record.worker_ids[-1] if running and record.worker_ids else "",
        started_at=record.started_at,
    )


def _runner_alive(run: Run, job: Job | None) -> bool:
    if run.runner == engine.worker_name():
        return True  # this process: its resume watcher runs beside the run
    if job is not None and job.worker == run.runner:
        return engine.worker_alive(run.runner, job.heartbeat_at)  # it holds the job
    # A live run that does not hold its job takes it, or ends, within moments.
    return engine.worker_alive(run.runner, run.started_at)
