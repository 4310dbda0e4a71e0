"""Asana's per-token limits in the sandbox: always counted, enforced when asked.

Asana allows a token 1,500 requests a minute (150 on free domains), 50 concurrent reads and
15 concurrent writes, and answers 429 with Retry-After past any of them. The sandbox counts,
per token: requests, requests in flight (reads and writes, and their peaks), requests in
the last 60 seconds (and its peak), and the requests that went over a limit. With
enforcement on (`SANDBOX_LIMITS=per_minute,reads,writes`, or `set_limits(enforce=True)`)
those are refused with Asana's 429; with it off they are answered and still counted, so a
test or benchmark can show "zero requests over budget" either way.

A request is in flight from its arrival until its answer leaves, the added latency
included. The minute is a sliding 60 s window of the requests answered (a refused request
does not count in it); it is exact up to `RING` requests a minute.

The counters live in shared memory: the HTTP server creates them before it forks its
copies (`asana_sandbox --processes N`), so every process serving one port counts as one
Asana. The adapter counts in its process's table. Read them with `usage_report()` (Python,
in the serving process) or `GET /_sandbox/usage` (HTTP, with the control token); start over
with `reset_usage()` or `DELETE /_sandbox/usage`; change the limits with `set_limits()` or
`PUT /_sandbox/limits`.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

RING = 4096  # requests remembered per token: per-minute limits (and peaks) up to this
SLOTS = 32  # tokens counted apart; any further token shares the last slot
WINDOW_SECONDS = 60.0
READS = frozenset({"GET", "HEAD", "OPTIONS"})
ASANA_LIMITS = (1500, 50, 15)  # per minute (paid domains), concurrent reads, writes
_KEY_BYTES = 16
_LABEL_CHARS = 8


@dataclass(frozen=True)
class Limits:
    per_minute: int
    reads: int
    writes: int
    enforce: bool

    @classmethod
    def from_setting(cls, text: str) -> Limits:
        """'1500,50,15' enforces those limits; '' counts against Asana's without enforcing."""
        if not text.strip():
            return cls(*ASANA_LIMITS, enforce=False)
        try:
            per_minute, reads, writes = (int(part) for part in text.split(","))
        except ValueError:
            raise ValueError(
                f"SANDBOX_LIMITS must be 'per_minute,reads,writes' (e.g. 1500,50,15), not {text!r}"
            ) from None
        return cls(per_minute, reads, writes, enforce=True).checked()

    def checked(self) -> Limits:
        if not 1 <= self.per_minute <= RING:
            raise ValueError(f"per_minute must be between 1 and {RING}, not {self.per_minute}")
        if self.reads < 1 or self.writes < 1:
            raise ValueError("reads and writes must be at least 1")
        return self


@dataclass(frozen=True)
class Ticket:
    """A request counted in: its token's slot, whether it reads, and a refusal if any."""

    slot: int
    read: bool
    retry_after: int = 0  # > 0: refused (429 with this Retry-After); nothing to leave

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


class _Slot(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_ubyte * _KEY_BYTES),  # a digest of the token; all zero: unused
        ("label", ctypes.c_char * (_LABEL_CHARS * 4)),
        ("requests", ctypes.c_int64),
        ("over_budget", ctypes.c_int64),
        ("reads", ctypes.c_int32),
        ("writes", ctypes.c_int32),
        ("peak_reads", ctypes.c_int32),
        ("peak_writes", ctypes.c_int32),
        ("peak_per_minute", ctypes.c_int32),
        ("head", ctypes.c_int64),  # requests appended to `sent` so far
        ("tail", ctypes.c_int64),  # the oldest of them still inside the window
        ("sent", ctypes.c_double * RING),  # when each was let in (monotonic clock)
    ]


class _Table(ctypes.Structure):
    _fields_ = [
        ("per_minute", ctypes.c_int32),
        ("max_reads", ctypes.c_int32),
        ("max_writes", ctypes.c_int32),
        ("enforce", ctypes.c_bool),
        ("over_per_minute", ctypes.c_int64),
        ("over_reads", ctypes.c_int64),
        ("over_writes", ctypes.c_int64),
        ("slots", _Slot * SLOTS),
    ]


class UsageTable:
    """The counters of every token, in memory shared with processes forked later."""

    def __init__(self, limits: Limits, *, clock: Callable[[], float] = time.monotonic) -> None:
        # A monotonic clock is one clock for every process of the machine.
        self._clock = clock
        # "fork": shared memory and a lock that forked copies of this process inherit.
        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        self._table = context.RawValue(_Table)
        self.set_limits(limits)

    # --- requests --------------------------------------------------------------------

    def enter(self, authorization: str, method: str) -> Ticket:
        """Count a request in (a refusal when over an enforced limit); `leave` when done."""
        key = hashlib.sha256(authorization.encode()).digest()[:_KEY_BYTES]
        read = method.upper() in READS
        now = self._clock()
        with self._lock:
            index = self._slot_for(key, authorization)
            slot = self._table.slots[index]
            slot.requests += 1
            _forget_older_than(slot, now - WINDOW_SECONDS)
            over = self._over(slot, read)
            if over:
                slot.over_budget += 1
                setattr(self._table, over, getattr(self._table, over) + 1)
                if self._table.enforce:
                    return Ticket(index, read, retry_after=self._retry_after(slot, now, over))
            _let_in(slot, read, now)
        return Ticket(index, read)

    def leave(self, ticket: Ticket) -> None:
        if ticket.refused:
            return
        with self._lock:
            slot = self._table.slots[ticket.slot]
            if ticket.read:
                slot.reads -= 1
            else:
                slot.writes -= 1

    # --- control -----------------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        table = self._table
        return Limits(table.per_minute, table.max_reads, table.max_writes, table.enforce)

    def set_limits(self, limits: Limits) -> None:
        limits.checked()
        with self._lock:
            self._table.per_minute = limits.per_minute
            self._table.max_reads = limits.reads
            self._table.max_writes = limits.writes
            self._table.enforce = limits.enforce

    def reset(self) -> None:
        """Every counter back to zero; the limits stay."""
        with self._lock:
            limits = self.limits
            ctypes.memset(ctypes.addressof(self._table), 0, ctypes.sizeof(_Table))
            self._table.per_minute = limits.per_minute
            self._table.max_reads = limits.reads
            self._table.max_writes = limits.writes
            self._table.enforce = limits.enforce

    def report(self) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            tokens = [_slot_report(slot, now) for slot in self._table.slots if slot.requests]
            over = {
                "per_minute": self._table.over_per_minute,
                "reads": self._table.over_reads,
                "writes": self._table.over_writes,
            }
            limits = self.limits
        return {
            "limits": asdict(limits),
            "requests": sum(t["requests"] for t in tokens),
            "over_budget": sum(t["over_budget"] for t in tokens),
            "over_budget_by_limit": over,
            # The limits are per token: the peaks are the busiest token's.
            "peak_reads": max((t["peak_reads"] for t in tokens), default=0),
            "peak_writes": max((t["peak_writes"] for t in tokens), default=0),
            "peak_per_minute": max((t["peak_per_minute"] for t in tokens), default=0),
            "tokens": tokens,
        }

    # --- inside the lock ---------------------------------------------------------------

    def _slot_for(self, key: bytes, authorization: str) -> int:
        slots = self._table.slots
        for index in range(SLOTS - 1):
            if bytes(slots[index].key) == key:
                return index
            if not any(slots[index].key):
                slots[index].key = (ctypes.c_ubyte * _KEY_BYTES)(*key)
                slots[index].label = _label(authorization).encode()[: _LABEL_CHARS * 4]
                return index
        return SLOTS - 1  # every slot taken: further tokens are counted together

    def _over(self, slot: _Slot, read: bool) -> str:
        """Which limit this request would break ('over_reads', ...), or ''."""
        table = self._table
        if read and slot.reads >= table.max_reads:
            return "over_reads"
        if not read and slot.writes >= table.max_writes:
            return "over_writes"
        if slot.head - slot.tail >= table.per_minute:
            return "over_per_minute"
        return ""

    def _retry_after(self, slot: _Slot, now: float, over: str) -> int:
        if over != "over_per_minute":
            return 1  # a concurrency limit: a slot frees as soon as a request ends
        oldest = slot.sent[slot.tail % RING]
        return max(1, math.ceil(oldest + WINDOW_SECONDS - now))


def _forget_older_than(slot: _Slot, cutoff: float) -> None:
    while slot.tail < slot.head and slot.sent[slot.tail % RING] <= cutoff:
        slot.tail += 1


def _let_in(slot: _Slot, read: bool, now: float) -> None:
    slot.sent[slot.head % RING] = now
    slot.head += 1
    slot.tail = max(slot.tail, slot.head - RING)  # a full ring forgets its oldest
    slot.peak_per_minute = max(slot.peak_per_minute, slot.head - slot.tail)
    if read:
        slot.reads += 1
        slot.peak_reads = max(slot.peak_reads, slot.reads)
    else:
        slot.writes += 1
        slot.peak_writes = max(slot.peak_writes, slot.writes)


def _slot_report(slot: _Slot, now: float) -> dict[str, Any]:
    in_window = sum(
        1 for i in range(slot.tail, slot.head) if slot.sent[i % RING] > now - WINDOW_SECONDS
    )
    return {
        "token": slot.label.decode(errors="replace"),
        "fingerprint": bytes(slot.key).hex()[:12],
        "requests": slot.requests,
        "over_budget": slot.over_budget,
        "reads": slot.reads,
        "writes": slot.writes,
        "peak_reads": slot.peak_reads,
        "peak_writes": slot.peak_writes,
        "last_minute": in_window,
        "peak_per_minute": slot.peak_per_minute,
    }


def _label(authorization: str) -> str:
    """Enough of the token to recognise it in a report, never the whole of it."""
    token = authorization.removeprefix("Bearer ").strip()
    return token[:_LABEL_CHARS] + ("…" if len(token) > _LABEL_CHARS else "")


def token_fingerprint(token: str) -> str:
    """How a report names the token `token` (sent as `Authorization: Bearer <token>`)."""
    return hashlib.sha256(f"Bearer {token}".encode()).hexdigest()[:12]


# --- the process's table -------------------------------------------------------------------

_table: UsageTable | None = None
_creating = threading.Lock()


def usage_table() -> UsageTable:
    """This process's table (inherited by its forked copies), made on first use with the
    limits of SANDBOX_LIMITS."""
    global _table
    if _table is None:
        with _creating:
            if _table is None:
                _table = UsageTable(Limits.from_setting(settings.SANDBOX_LIMITS))
    return _table


def usage_report() -> dict[str, Any]:
    return usage_table().report()


def reset_usage() -> None:
    usage_table().reset()


def set_limits(
    *,
    per_minute: int | None = None,
    reads: int | None = None,
    writes: int | None = None,
    enforce: bool | None = None,
) -> Limits:
    """Change some limits (the others stay); raises ValueError for impossible ones."""
    table = usage_table()
    current = table.limits
    limits = Limits(
        per_minute=current.per_minute if per_minute is None else per_minute,
        reads=current.reads if reads is None else reads,
        writes=current.writes if writes is None else writes,
        enforce=current.enforce if enforce is None else enforce,
    )
    table.set_limits(limits)
    return limits
