"""Fault injection: rules, stored in the database, that make sandbox requests misbehave.

Rules live in the database (not in memory) so a test process can inject a fault that a
dashboard process (gunicorn, using the adapter) then runs into. `path_pattern` is a
regular expression searched in the path relative to the API root, e.g.
"/time_tracking_categories/\\d+$" or just "time_tracking_entries".
"""

from __future__ import annotations

import os
import re

from django.db import connection, transaction
from django.db.models import F

from .models import SandboxFault

LATENCY_ENV = "SANDBOX_LATENCY_MS"
KINDS = frozenset(SandboxFault.Kind.values)


def inject_fault(
    *,
    kind: str,
    method: str = "",
    path_pattern: str = "",
    status: int | None = None,
    retry_after: int | None = None,
    latency_ms: int = 0,
    times: int | None = None,
    message: str = "",
) -> SandboxFault:
    """Add a rule; `times` is how often it fires (None: until cleared). Raises ValueError.

    `message` is the error message of a "status" fault (blank: Asana's usual words)."""
    _check(kind=kind, path_pattern=path_pattern, status=status, times=times)
    return SandboxFault.objects.create(
        kind=kind,
        method=method.upper(),
        path_pattern=path_pattern,
        status=status,
        retry_after=retry_after,
        latency_ms=max(latency_ms, 0),
        remaining=times,
        message=message[: SandboxFault._meta.get_field("message").max_length],
    )


def clear_faults() -> None:
    SandboxFault.objects.all().delete()


def next_fault(method: str, path: str) -> SandboxFault | None:
    """The oldest rule matching this request, with one of its uses consumed."""
    if not _any_fault():
        return None
    for fault in SandboxFault.objects.filter(method__in=("", method.upper())):
        if fault.path_pattern and not re.search(fault.path_pattern, path):
            continue
        if fault.remaining is None or _consume(fault):
            return fault
    return None


def _any_fault() -> bool:
    """Whether any rule exists: asked on every request, and the answer is nearly always
    no, so by the cheapest query there is (the ORM's compilation costs more than it)."""
    table = connection.ops.quote_name(SandboxFault._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - model's table
        return bool(cursor.fetchone()[0])


def global_latency_ms() -> int:
    """Latency added to every sandbox request, from SANDBOX_LATENCY_MS (read each time)."""
    try:
        return max(int(os.environ.get(LATENCY_ENV) or 0), 0)
    except ValueError:
        return 0


def _consume(fault: SandboxFault) -> bool:
    """Take one use, atomically: of two threads racing for the last use, one wins."""
    with transaction.atomic():
        taken = SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
        SandboxFault.objects.filter(pk=fault.pk, remaining=0).delete()
    return taken == 1


def _check(*, kind: str, path_pattern: str, status: int | None, times: int | None) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    if kind == SandboxFault.Kind.STATUS and not (status and 100 <= status <= 599):
        raise ValueError("a 'status' fault needs an HTTP status between 100 and 599")
    if times is not None and times < 1:
        raise ValueError("times must be at least 1 (or None for unlimited)")
    try:
        re.compile(path_pattern)
    except re.error as error:
        raise ValueError(f"path_pattern is not a regular expression: {error}") from None
