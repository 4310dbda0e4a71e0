"""`asana_sandbox --processes N`: forked copies answer on the same port, and none outlives
the process that started them, however it ends."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from socketserver import BaseRequestHandler, TCPServer

import pytest
import requests

from categories.sandbox.workers import copies_serving, refuse_if_taken
from tests.support.sandbox import MANAGE, REPO, migrated_database

GONE_WITHIN_SECONDS = 10.0


@dataclass
class RunningSandbox:
    process: subprocess.Popen[str]
    base_url: str

    def copies(self) -> list[int]:
        """The forked copies: the children of the command's process (Linux /proc)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@pytest.fixture(scope="module")
def sandbox_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = migrated_database(tmp_path_factory.mktemp("sandbox-processes"))
    subprocess.run([*MANAGE, "seed_sandbox"], cwd=REPO, env=env, check=True, capture_output=True)
    return env


@pytest.fixture
def sandbox(sandbox_database: dict[str, str]) -> Iterator[RunningSandbox]:
    process = subprocess.Popen(
        [*MANAGE, "asana_sandbox", "--port", "0", "--processes", "3"],
        cwd=REPO,
        env=sandbox_database,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    running = RunningSandbox(process, base_url)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def is_gone(pid: int) -> bool:
    """Exited: no such process, or only a zombie left for its new parent to reap."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


def wait_until_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        left = [pid for pid in pids if not is_gone(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if not is_gone(pid)]


def me(base_url: str) -> int:
    # A new connection each time: the kernel spreads new connections over the copies.
    answer = requests.get(f"{base_url}/users/me", headers={"Authorization": "Bearer x"}, timeout=10)
    return answer.status_code


def test_three_processes_serve_the_same_port_side_by_side(sandbox: RunningSandbox) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert len(sandbox.copies()) == 2

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: me(sandbox.base_url), range(36)))

    assert statuses == [200] * 36


@pytest.mark.parametrize("ending", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_no_copy_outlives_the_command(sandbox: RunningSandbox, ending: signal.Signals) -> None:
    copies = sandbox.copies()

    sandbox.process.send_signal(ending)
    sandbox.process.wait(timeout=10)

    # SIGINT stops them on the way out; SIGTERM and SIGKILL leave them their lifeline.
    assert wait_until_gone(copies) == []
    with pytest.raises(requests.ConnectionError):
        me(sandbox.base_url)


def test_a_copy_that_cannot_listen_stops_the_start_instead_of_serving_with_fewer() -> None:
    class Reusable(TCPServer):
        allow_reuse_port = True

    def broken_copy() -> TCPServer:
        raise OSError("cannot bind")

    server = Reusable(("127.0.0.1", 0), BaseRequestHandler)
    try:
        with (
            pytest.raises(RuntimeError, match="could not start"),
            copies_serving(server, processes=2, copy=broken_copy),
        ):
            pytest.fail("the block must not run")
    finally:
        server.server_close()


def test_a_port_in_use_is_refused_although_sharing_it_would_succeed() -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        with pytest.raises(OSError, match="in use"):
            refuse_if_taken("127.0.0.1", port)

    refuse_if_taken("127.0.0.1", port)  # free again
