"""`manage.py jobs_worker`: runs queued jobs in the foreground (django-tasks' database
worker on the "jobs" queue), and resumes jobs whose worker died."""

from __future__ import annotations

import logging
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from categories.jobs.engine import request_stop, worker_name
from categories.jobs.services import jobs_resume_abandoned
from categories.jobs.tasks import QUEUE

RESUME_EVERY_SECONDS = 10.0
logger = logging.getLogger("categories.jobs")


class JobsWorker(Worker):
    """django-tasks' database worker; on SIGTERM or Ctrl+C the job under way stops
    between writes (instead of running to its end), to be resumed by the next worker."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        request_stop()
        super().shutdown(signum, frame)


class Command(BaseCommand):
    help = "Run the background worker that moves time between categories."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        jobs_resume_abandoned()
        stop = threading.Event()
        watcher = threading.Thread(target=_keep_resuming, args=(stop,), daemon=True)
        watcher.start()
        worker = JobsWorker(
            queue_names=[QUEUE],
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            # The run's record names the process as the job does (host:pid).
            worker_id=worker_name(),
        )
        worker.configure_signals()
        logger.info("job worker %s waiting for jobs", worker.worker_id)
        try:
            worker.run()
        finally:
            stop.set()


def _keep_resuming(stop: threading.Event) -> None:
    """Another worker's job whose worker died is picked up without waiting for a restart."""
    while not stop.wait(RESUME_EVERY_SECONDS):
        try:
            jobs_resume_abandoned()
        finally:
            close_old_connections()
