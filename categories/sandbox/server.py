"""The sandbox over real HTTP, for other processes (browser tests, benchmarks, a dashboard
pointed at it with ASANA_BASE_URL). Same handler and faults as the adapter, plus the
control API under /_sandbox/."""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.db import connections

from .api import API_ROOT
from .control import CONTROL_ROOT, handle_control
from .limits import usage_table
from .models import SandboxFault
from .oauth import AUTHORIZE_PATH
from .oauth_page import approval_response
from .responses import SandboxResponse, error_response
from .transport import NoAnswer, process

logger = logging.getLogger("categories.sandbox.server")

# How long a "timeout" fault without its own latency keeps the client waiting.
DEFAULT_TIMEOUT_SECONDS = 30.0
IDLE_CONNECTION_SECONDS = 15.0
CONTROL_REFUSAL = "The sandbox's control API needs its control token: " + (
    "Authorization: Bearer <SANDBOX_CONTROL_TOKEN>"
)


class SandboxHTTPServer(ThreadingHTTPServer):
    """One thread per connection; daemon threads, so a stuck request never blocks exit."""

    daemon_threads = True
    # socketserver's default backlog is 5: a client opening a dozen connections at once
    # (a windowed report) has the rest dropped, and each retries its connect 1 s later.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        *,
        latency_ms: int | None = None,
        reuse_port: bool = False,
        control_token: str | None = None,
    ) -> None:
        # Several processes serving one port (workers.py) each bind it with SO_REUSEPORT.
        self.allow_reuse_port = reuse_port
        super().__init__(address, SandboxRequestHandler)
        # None: SANDBOX_LATENCY_MS from the environment, read on each request.
        self.latency_ms = latency_ms
        # The control API resets data and injects faults: only who holds this token may.
        # None: SANDBOX_CONTROL_TOKEN, else a random one (see `control_token` on the server).
        self.control_token = (
            control_token or settings.SANDBOX_CONTROL_TOKEN or secrets.token_urlsafe(24)
        )
        # Asana's per-token counters, made now: copies forked later share them, so every
        # process serving this port counts as one Asana (limits.py).
        usage_table()

    def allows_control(self, authorization: str | None) -> bool:
        expected = f"Bearer {self.control_token}"
        return hmac.compare_digest((authorization or "").encode(), expected.encode())

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{API_ROOT}"


class SandboxRequestHandler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, like Asana: clients reuse connections
    server_version = "AsanaSandbox/1.0"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the second
    # waits for the client's delayed ACK (~40 ms) on every reused connection.
    disable_nagle_algorithm = True
    # An idle keep-alive connection is closed after this long, freeing its thread and the
    # database connection the thread keeps (clients reconnect, as with Asana).
    timeout = IDLE_CONNECTION_SECONDS

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def handle(self) -> None:
        try:
            super().handle()  # every request of this keep-alive connection, in this thread
        finally:
            # The thread ends with its connection: its database connection must not leak.
            connections.close_all()

    def _serve(self) -> None:
        try:
            self._answer(self._read_body())
        except Exception:
            logger.exception("sandbox server: failed on %s %s", self.command, self.path)
            self._send(error_response(500))
        finally:
            _drop_broken_database_connections()

    def _answer(self, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path == AUTHORIZE_PATH:  # a browser's page, not an API call: no limits
            self._send(approval_response(self.command, dict(parse_qsl(url.query)), body))
            return
        if self.path.startswith(CONTROL_ROOT):
            if not self.server.allows_control(self.headers.get("Authorization")):
                self._send(error_response(401, CONTROL_REFUSAL))
                return
            self._send(handle_control(self.command, urlsplit(self.path).path, body))
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        outcome = process(
            method=self.command,
            url=f"http://{host}{self.path}",
            headers=self.headers,
            body=body,
            latency_ms=self.server.latency_ms,
        )
        if isinstance(outcome, NoAnswer):
            self._drop(outcome)
        else:
            self._send(outcome)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: SandboxResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _drop(self, outcome: NoAnswer) -> None:
        """Close the connection without a word: after a wait for a timeout, at once else."""
        if outcome.kind == SandboxFault.Kind.TIMEOUT:
            time.sleep(outcome.latency_ms / 1000 or DEFAULT_TIMEOUT_SECONDS)
        self.close_connection = True


def _drop_broken_database_connections() -> None:
    """Database connections stay open for the HTTP connection's next request (opening one
    costs more than answering a small request), unless an error left one unusable."""
    for connection in connections.all(initialized_only=True):
        if not connection.errors_occurred:
            continue
        if connection.is_usable():
            connection.errors_occurred = False  # as Django does between requests
        else:
            connection.close()


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    latency_ms: int | None = None,
    reuse_port: bool = False,
    control_token: str | None = None,
) -> SandboxHTTPServer:
    """A bound, not yet serving, server; port 0 picks a free port (see `base_url`)."""
    return SandboxHTTPServer(
        (host, port), latency_ms=latency_ms, reuse_port=reuse_port, control_token=control_token
    )
