"""`make run` step: in demo mode, seed the offline sandbox (once) and make sure the demo
accounts exist. No-op with a real token: then people sign in with accounts made by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from categories.access.demo_accounts import DemoAccount, ensure_demo_accounts


class Command(BaseCommand):
    help = "Prepare demo mode: seed the offline Asana sandbox and create the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("ASANA_ACCESS_TOKEN is set: using Asana, no demo data.")
            self.stdout.write(
                "No accounts are created: run `manage.py createsuperuser`, then grant roles "
                "in /admin/ (see README)."
            )
            return
        from categories.sandbox.seed import seed_demo_data

        if seed_demo_data():
            self.stdout.write(self.style.SUCCESS("Seeded the offline Asana sandbox with demo data"))
        else:
            self.stdout.write("The offline Asana sandbox already has its data (edits are kept).")
        self._announce(ensure_demo_accounts())

    def _announce(self, accounts: list[DemoAccount]) -> None:
        if not accounts:
            self.stdout.write(
                "No demo accounts to show: accounts named admin and reviewer exist with "
                "passwords set by hand (manage.py changepassword sets new ones)."
            )
            return
        self.stdout.write(self.style.SUCCESS("Demo accounts (also shown on the login page):"))
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.password}  ({account.role})")
