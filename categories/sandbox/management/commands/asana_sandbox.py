"""`manage.py asana_sandbox --port N`: serve the offline sandbox over HTTP until Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from categories.sandbox.seed import seed_demo_data
from categories.sandbox.server import make_server
from categories.sandbox.workers import copies_serving, refuse_if_taken

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})


class Command(BaseCommand):
    help = "Serve the Asana-compatible sandbox at http://HOST:PORT/api/1.0 (seeds it if empty)."
    # It serves no Django views, so URL and template checks have nothing to say about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--allow-remote",
            action="store_true",
            help="Allow a --host other machines can reach (the sandbox has no real sign-in).",
        )
        parser.add_argument(
            "--latency-ms",
            type=int,
            default=None,
            help="Added to every request (default: SANDBOX_LATENCY_MS, else 0).",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Serve from this many processes, to answer concurrent requests side by "
            "side as Asana does (default 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["host"] not in LOOPBACK_ADDRESSES and not options["allow_remote"]:
            raise CommandError(
                f"Refusing to serve the sandbox on {options['host']}: other machines could "
                "reach it, and it accepts any token. Use --host 127.0.0.1, or add "
                "--allow-remote if that is what you want."
            )
        if seed_demo_data():
            self.stdout.write("Seeded the sandbox with demo data.")
        # Request threads open their own connections; this one is not needed any more.
        connections.close_all()
        processes = max(1, options["processes"])
        host, latency_ms = options["host"], options["latency_ms"]
        if processes > 1:
            refuse_if_taken(host, options["port"])
        server = make_server(host, options["port"], latency_ms=latency_ms, reuse_port=processes > 1)
        if not settings.SANDBOX_CONTROL_TOKEN:
            # Random per start: say it, so a person can use the control API by hand.
            self.stderr.write(f"Control API token (Bearer, for /_sandbox/): {server.control_token}")
        self.stdout.flush()
        try:
            with copies_serving(
                server,
                processes=processes,
                copy=lambda: make_server(
                    host,
                    server.server_address[1],
                    latency_ms=latency_ms,
                    reuse_port=True,
                    control_token=server.control_token,
                ),
            ):
                # Printed once every process listens: the URL means "ready".
                self.stdout.write(server.base_url)
                self.stdout.flush()
                server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.server_close()
