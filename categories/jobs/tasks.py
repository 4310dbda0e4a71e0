"""The one task of the durable queue: run (or resume) a job."""

from __future__ import annotations

from django_tasks import task

from categories.jobs import engine

QUEUE = "jobs"


@task(queue_name=QUEUE)
def run_job(job_id: int) -> None:
    """Runs a job to its end; a job another live worker holds is left to it."""
    engine.job_execute(job_id=job_id)
