"""`manage.py seed_sandbox [--reset] [--today YYYY-MM-DD]`: fill the offline sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from categories.sandbox.seed import reset_demo_data, seed_demo_data


class Command(BaseCommand):
    help = "Seed the offline Asana sandbox with demo data (once; --reset starts over)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all sandbox data and injected faults first, then seed again.",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="The date the two years of history end on (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            reset_demo_data(today=options["today"])
            self.stdout.write(self.style.SUCCESS("Reset the sandbox to fresh demo data."))
        elif seed_demo_data(today=options["today"]):
            self.stdout.write(self.style.SUCCESS("Seeded the sandbox with demo data."))
        else:
            self.stdout.write("The sandbox already has data; nothing changed (use --reset).")
