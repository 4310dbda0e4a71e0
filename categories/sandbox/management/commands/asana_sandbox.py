"""`manage.py asana_sandbox --port N`: serve the offline sandbox over HTTP until Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from categories.sandbox.seed import seed_demo_data
from categories.sandbox.server import make_server


class Command(BaseCommand):
    help = "Serve the Asana-compatible sandbox at http://HOST:PORT/api/1.0 (seeds it if empty)."
    # It serves no Django views, so URL and template checks have nothing to say about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--latency-ms",
            type=int,
            default=None,
            help="Added to every request (default: SANDBOX_LATENCY_MS, else 0).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if seed_demo_data():
            self.stdout.write("Seeded the sandbox with demo data.")
        # Request threads open their own connections; this one is not needed any more.
        connections.close_all()
        server = make_server(options["host"], options["port"], latency_ms=options["latency_ms"])
        self.stdout.write(server.base_url)
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.server_close()
