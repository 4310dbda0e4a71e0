"""Asana's per-token limits, enforced by the sandbox server when asked (SANDBOX_LIMITS).

Asana answers 429 with Retry-After to a token past its requests a minute, 50 concurrent
reads or 15 concurrent writes. With `SANDBOX_LIMITS=per_minute,reads,writes` the HTTP
sandbox does the same and counts every request it had to refuse: the multi-process tests
and the benchmark read the counters (`/_sandbox/usage`) to show that the dashboard, over
all its processes, never sends a request over the budget. One server process only: the
counters live in its memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class TokenUsage:
    sent: deque[float] = field(default_factory=deque)
    reads: int = 0
    writes: int = 0


@dataclass
class Usage:
    per_minute: int
    max_reads: int = 50
    max_writes: int = 15
    requests: int = 0
    over_budget: int = 0
    peak_reads: int = 0
    peak_writes: int = 0
    _tokens: dict[str, TokenUsage] = field(default_factory=lambda: defaultdict(TokenUsage))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def parse(cls, text: str) -> Usage | None:
        """'60,50,15' -> limits; '' -> None (nothing enforced)."""
        if not text.strip():
            return None
        per_minute, reads, writes = (int(part) for part in text.split(","))
        return cls(per_minute=per_minute, max_reads=reads, max_writes=writes)

    def enter(self, token: str, method: str) -> float:
        """Count a request in; 0 when within the limits, else the Retry-After to answer."""
        now = time.monotonic()
        with self._lock:
            self.requests += 1
            usage = self._tokens[token]
            while usage.sent and usage.sent[0] <= now - 60:
                usage.sent.popleft()
            read = method in READS
            busy = usage.reads >= self.max_reads if read else usage.writes >= self.max_writes
            if busy or len(usage.sent) >= self.per_minute:
                self.over_budget += 1
                return max(1.0, math.ceil(usage.sent[0] + 60 - now)) if usage.sent else 1.0
            usage.sent.append(now)
            if read:
                usage.reads += 1
                self.peak_reads = max(self.peak_reads, usage.reads)
            else:
                usage.writes += 1
                self.peak_writes = max(self.peak_writes, usage.writes)
            return 0.0

    def leave(self, token: str, method: str) -> None:
        with self._lock:
            usage = self._tokens[token]
            if method in READS:
                usage.reads -= 1
            else:
                usage.writes -= 1

    def report(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "over_budget": self.over_budget,
                "peak_reads": self.peak_reads,
                "peak_writes": self.peak_writes,
            }
