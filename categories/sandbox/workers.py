"""Serving the sandbox from several processes on one port.

Asana answers a client's concurrent requests side by side. One Python process cannot (its
threads take turns at the interpreter lock), so a client that sends eight requests at once
would see them answered one after another, and a benchmark would measure the stand-in
instead of the client. Each forked copy listens on the same port with SO_REUSEPORT and the
kernel spreads new connections over them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    lifeline_read, lifeline_write = os.pipe()
    children: list[int] = []
    try:
        for _ in range(processes - 1):
            children.append(_fork_copy(server, copy, lifeline_read, lifeline_write))
        os.close(lifeline_read)
        yield
    finally:
        _stop(children)
        os.close(lifeline_write)


def _fork_copy(
    server: BaseServer, copy: Callable[[], BaseServer], lifeline_read: int, lifeline_write: int
) -> int:
    pid = os.fork()
    if pid:
        return pid
    # In the copy. Ctrl-C in a terminal reaches every process of the group: the parent
    # stops the copies itself, so a copy ignores it rather than print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its own socket: the inherited one would share the parent's queue of connections.
    server.server_close()
    # It lives as long as the parent holds the lifeline's write end open, so it goes away
    # even when the parent is killed without a chance to stop it.
    os.close(lifeline_write)
    threading.Thread(target=_exit_when_closed, args=(lifeline_read,), daemon=True).start()
    try:
        copy().serve_forever()
    finally:
        os._exit(0)


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
