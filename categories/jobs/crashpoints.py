"""Deliberate crashes for the resume tests: `JOBS_CRASH_AT=<point>:<n>` makes the worker
SIGKILL itself the n-th time it passes <point> (started: the queue has handed the worker
the job, which it has not taken yet; planned, before-write, after-write).

Honoured in demo mode only, so a stray variable can never stop a real job."""

from __future__ import annotations

import os
import signal
import threading

from django.conf import settings

_passed: dict[str, int] = {}
_lock = threading.Lock()


def passing(point: str) -> None:
    wanted = os.environ.get("JOBS_CRASH_AT", "")
    if not wanted or not settings.DEMO_MODE:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    with _lock:
        _passed[point] = _passed.get(point, 0) + 1
        if _passed[point] >= int(count or 1):
            os.kill(os.getpid(), signal.SIGKILL)
