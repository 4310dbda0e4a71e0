"""`make run` step: in demo mode, seed the offline sandbox (once). No-op with a real token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare demo mode: seed the offline Asana sandbox if it is empty."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("ASANA_ACCESS_TOKEN is set: using Asana, no demo data.")
            return
        from categories.sandbox.seed import seed_demo_data

        if seed_demo_data():
            self.stdout.write(self.style.SUCCESS("Seeded the offline Asana sandbox with demo data."))
        else:
            self.stdout.write("The offline Asana sandbox already has its data (edits are kept).")
