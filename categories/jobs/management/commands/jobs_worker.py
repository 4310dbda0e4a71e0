"""`manage.py jobs_worker`: runs queued jobs in the foreground (django-tasks' database
worker on the "jobs" queue), and resumes jobs whose worker died."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from categories.jobs.services import jobs_resume_abandoned
from categories.jobs.tasks import QUEUE

RESUME_EVERY_SECONDS = 10.0


class Command(BaseCommand):
    help = "Run the background worker that moves time between categories."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        jobs_resume_abandoned()
        stop = threading.Event()
        watcher = threading.Thread(target=_keep_resuming, args=(stop,), daemon=True)
        watcher.start()
        try:
            call_command(
                "db_worker",
                queue_name=QUEUE,
                interval=interval,
                startup_delay=False,
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()


def _keep_resuming(stop: threading.Event) -> None:
    """Another worker's job whose worker died is picked up without waiting for a restart."""
    while not stop.wait(RESUME_EVERY_SECONDS):
        try:
            jobs_resume_abandoned()
        finally:
            close_old_connections()
