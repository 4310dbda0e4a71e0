"""Serving the sandbox from several processes on one port.

Asana answers a client's concurrent requests side by side. One Python process cannot (its
threads take turns at the interpreter lock), so a client that sends eight requests at once
would see them answered one after another, and a benchmark would measure the stand-in
instead of the client. Each forked copy listens on the same port with SO_REUSEPORT and the
kernel spreads new connections over them.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import BaseServer


@contextmanager
def copies_serving(
    server: BaseServer, *, processes: int, copy: Callable[[], BaseServer]
) -> Iterator[None]:
    """`processes - 1` forked processes serving `copy()` while the block runs (in which
    this process serves `server`); they are stopped when it ends.

    `server` and every copy must be bound with SO_REUSEPORT to the same address. Enter it
    before starting any thread (a fork copies only the thread that calls it) and with
    output flushed (a copy would write unflushed output again).
    """
    if processes <= 1:
        yield
        return
    pipes = _Pipes(*os.pipe(), *os.pipe())
    parents_ends = [pipes.lifeline_write, pipes.ready_read]
    copies_ends = [pipes.lifeline_read, pipes.ready_write]
    children: list[int] = []
    try:
        for _ in range(processes - 1):
            children.append(_fork_copy(server, copy, pipes))
        _close(copies_ends)  # so that the ready pipe ends when every copy has closed it
        _wait_until_listening(pipes.ready_read, copies=processes - 1)
        yield
    finally:
        _stop(children)
        _close(copies_ends)
        _close(parents_ends)


def refuse_if_taken(host: str, port: int) -> None:
    """Raise OSError (address in use) when something listens on host:port already.

    Binding with SO_REUSEPORT succeeds even then (for another sandbox of the same user),
    and the kernel would share the connections between two unrelated servers."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _close(fds: list[int]) -> None:
    while fds:
        os.close(fds.pop())


@dataclass(frozen=True)
class _Pipes:
    lifeline_read: int  # read by the copies: end of file when the parent is gone
    lifeline_write: int  # held by the parent only
    ready_read: int  # read by the parent: a byte from each copy listening
    ready_write: int


def _wait_until_listening(ready_read: int, *, copies: int) -> None:
    """Return once every copy has bound its socket; raise if one cannot."""
    deadline = time.monotonic() + READY_SECONDS
    heard = 0
    while heard < copies:
        left = deadline - time.monotonic()
        readable, _, _ = select.select([ready_read], [], [], max(left, 0))
        if not readable:
            raise RuntimeError(f"a copy of the sandbox did not start in {READY_SECONDS:.0f} s")
        chunk = os.read(ready_read, copies - heard)
        if not chunk:
            raise RuntimeError("a copy of the sandbox could not start (its error is above)")
        heard += len(chunk)


READY_SECONDS = 30.0


def _fork_copy(server: BaseServer, copy: Callable[[], BaseServer], pipes: _Pipes) -> int:
    pid = os.fork()
    if pid:
        return pid
    # In the copy, which must never return into the parent's code (it would fork copies of
    # its own and stop its siblings): whatever happens, it ends here.
    status = 1
    try:
        _serve_as_copy(server, copy, pipes)
        status = 0
    except BaseException:
        traceback.print_exc()  # a copy that cannot serve says why, on the shared stderr
    finally:
        os._exit(status)


def _serve_as_copy(server: BaseServer, copy: Callable[[], BaseServer], pipes: _Pipes) -> None:
    # Ctrl-C in a terminal reaches every process of the group: the parent stops the
    # copies itself, so a copy ignores it rather than print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its own socket: the inherited one would share the parent's queue of connections.
    server.server_close()
    # It lives as long as the parent holds the lifeline's write end open, so it goes away
    # even when the parent is killed without a chance to stop it.
    os.close(pipes.lifeline_write)
    os.close(pipes.ready_read)
    threading.Thread(target=_exit_when_closed, args=(pipes.lifeline_read,), daemon=True).start()
    own = copy()
    os.write(pipes.ready_write, b"1")
    os.close(pipes.ready_write)
    own.serve_forever()


def _exit_when_closed(lifeline_read: int) -> None:
    while os.read(lifeline_read, 1):
        pass
    os._exit(0)


def _stop(children: list[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
