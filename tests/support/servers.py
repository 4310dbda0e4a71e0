"""Throwaway PostgreSQL and Redis servers for tests: real servers, on free ports, in a
temporary directory, stopped (and removed) when the test session is done.

PostgreSQL refuses to run as root, so as root the cluster is made and run by the
unprivileged `postgres` user (Debian's package creates it).

Every server (and every app server a test starts, through `die_with_parent`) is told by
the kernel to stop when the test run's process dies, however it dies: a run killed with
SIGKILL or a closed terminal leaves no server behind on a port.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


_PR_SET_PDEATHSIG = 1


def die_with_parent(signal_number: int = signal.SIGTERM) -> None:
    """In a child about to exec: receive `signal_number` when the process that started it
    dies (Linux's parent-death signal). Use as `preexec_fn`."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal_number)


def _postgres_dies_with_parent() -> None:
    die_with_parent(signal.SIGINT)  # PostgreSQL's fast shutdown: it does not wait for clients


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def have_redis() -> bool:
    return shutil.which("redis-server") is not None


def have_postgres() -> bool:
    return (PG_BIN / "initdb").exists()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within 30 s")


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server with no persistence; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    try:
        _wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"


def _as_postgres_user() -> dict[str, Any]:
    """Popen arguments running the command as `postgres` when we are root (PostgreSQL
    refuses root); the parent-death signal is set after the switch, so it holds."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A PostgreSQL 15 cluster in a temporary directory, trusting local connections."""
    workdir = Path(tempfile.mkdtemp(prefix="pg-test-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    process: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            check=True, capture_output=True, cwd=workdir, **_as_postgres_user(),
        )  # fmt: skip
        port = free_port()
        process = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(workdir),
             "-h", "127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir,
            preexec_fn=_postgres_dies_with_parent, **_as_postgres_user(),
        )  # fmt: skip
        _wait_for_port(port, process, "postgres")
        yield Postgres(port=port, user=user)
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    """`python -m tests.support.servers COMMAND...`: run COMMAND with DATABASE_URL and
    REDIS_URL naming a throwaway PostgreSQL and Redis, stopped when it ends (`make
    test-postgres` runs the database-heavy tests so)."""
    if not argv:
        print("usage: python -m tests.support.servers COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with postgres_server() as postgres, redis_server() as redis_url:
        env = os.environ | {"DATABASE_URL": postgres.url("dashboard"), "REDIS_URL": redis_url}
        return subprocess.run(argv, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
