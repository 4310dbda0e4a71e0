"""One Asana budget per token, shared by every process and server that uses the token.

Asana counts per token, across everything that sends with it: at most 50 concurrent
reads, 15 concurrent writes and a number of requests a minute (1,500 on paid domains).
A budget kept per process is exceeded as soon as two processes run (two gunicorn workers
and a job worker already are three), so every request takes a slot here first:

- with REDIS_URL, in Redis: one atomic Lua script checks and takes a slot, so any number
  of processes on any number of machines share it;
- without, in a SQLite file under var/ (one transaction per slot, the file lock making it
  atomic): shared by every process of this machine, which is all a deployment without
  Redis has.

A slot is a lease that expires (`LEASE_SECONDS`): a process killed while holding one
leaks it only until then. The minute is a sliding window of the requests sent.

Fairness: one person may hold at most half of the concurrent slots and send at most half
of the minute's requests, so a big report cannot starve everyone else; background work
(the job worker, `background_work()`) may use at most `BACKGROUND_SHARE` of the minute and
12 of the 15 writes, so pages keep headroom while a job runs. Who is asking comes from a
context variable set per request (`acting_for`); pool threads inherit it.

When no slot comes within ASANA_BUDGET_WAIT_SECONDS, BudgetExhausted is raised: the page
says when to try again (503 with Retry-After) and nothing is sent over the budget.
"""

from __future__ import annotations

import contextvars
import math
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from categories.asana.errors import BudgetExhausted
from categories.asana.limiter import READ_METHODS

LEASE_SECONDS = 60.0
WINDOW_SECONDS = 60.0
PERSON_SHARE = 0.5
BACKGROUND_SHARE = 0.8
BACKGROUND_WRITES = 12
POLL_SECONDS = 0.02

# Who the current request acts for ("" for nobody in particular) and whether it is
# background work. Set by the request middleware and the job worker.
_person: contextvars.ContextVar[str] = contextvars.ContextVar("asana_budget_person", default="")
_background: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "asana_budget_background", default=False
)


@contextmanager
def acting_for(person: str) -> Iterator[None]:
    token = _person.set(person)
    try:
        yield
    finally:
        _person.reset(token)


@contextmanager
def background_work(person: str = "background") -> Iterator[None]:
    person_token, background_token = _person.set(person), _background.set(True)
    try:
        yield
    finally:
        _person.reset(person_token)
        _background.reset(background_token)


@dataclass(frozen=True)
class Limits:
    per_minute: int
    reads: int = 50
    writes: int = 15

    def concurrent(self, kind: str, *, background: bool) -> int:
        if kind == "read":
            return self.reads
        return min(self.writes, BACKGROUND_WRITES) if background else self.writes

    def minute(self, *, background: bool) -> int:
        return max(1, math.floor(self.per_minute * (BACKGROUND_SHARE if background else 1)))

    def person_concurrent(self, kind: str, *, background: bool, person: str) -> int:
        """A person's cap; background work has its own (above), nobody in particular none."""
        if background or not person:
            return self.concurrent(kind, background=background)
        return max(1, math.ceil((self.reads if kind == "read" else self.writes) * PERSON_SHARE))

    def person_minute(self, *, background: bool, person: str) -> int:
        if background or not person:
            return self.minute(background=background)
        return max(1, math.ceil(self.per_minute * PERSON_SHARE))


@dataclass(frozen=True)
class Ask:
    """One request's claim on the budget."""

    kind: str  # "read" or "write"
    person: str
    background: bool
    lease: str
    now: float


class SlotStore(Protocol):
    def try_take(self, ask: Ask) -> float:
        """Take a slot for `ask` and return 0, or take nothing and return seconds to wait."""

    def give_back(self, lease: str) -> None: ...

    def forget(self) -> None: ...


class SharedBudget:
    """The client's budget (`slot(method)`), kept in a store every process shares."""

    def __init__(
        self,
        store: SlotStore,
        *,
        wait_seconds: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store, self.wait_seconds, self.clock, self.sleep = store, wait_seconds, clock, sleep

    @contextmanager
    def slot(self, method: str) -> Iterator[None]:
        lease = self._take("read" if method in READ_METHODS else "write")
        try:
            yield
        finally:
            self.store.give_back(lease)

    def _take(self, kind: str) -> str:
        lease = uuid.uuid4().hex
        deadline = self.clock() + self.wait_seconds
        while True:
            now = self.clock()
            ask = Ask(kind, _person.get(), _background.get(), lease, now)
            wait = self.store.try_take(ask)
            if wait <= 0:
                return lease
            if now + wait > deadline:
                raise BudgetExhausted(
                    "Asana's rate limit for this token is reached.", retry_after=math.ceil(wait)
                )
            self.sleep(min(max(wait, POLL_SECONDS), max(deadline - now, POLL_SECONDS)))


# --- Redis ----------------------------------------------------------------------------------

# KEYS: leases of the kind, the person's leases, requests sent, the person's, background's.
# ARGV: now, lease, concurrent cap, person's cap, minute cap, person's minute cap,
#       background (0/1), background minute cap, lease seconds, window seconds, poll seconds.
_TAKE = """
local now = tonumber(ARGV[1])
local window_start = now - tonumber(ARGV[10])
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
for i = 3, 5 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', window_start) end
local poll = tonumber(ARGV[11])
local function until_one_leaves(key)
  local oldest = redis.call('ZRANGE', KEYS[key], 0, 0, 'WITHSCORES')
  if oldest[2] then return tonumber(oldest[2]) + tonumber(ARGV[10]) - now end
  return poll
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return tostring(poll) end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return tostring(poll) end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return tostring(until_one_leaves(3)) end
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[6]) then return tostring(until_one_leaves(4)) end
if ARGV[7] == '1' and redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[8]) then
  return tostring(until_one_leaves(5))
end
local expires = now + tonumber(ARGV[9])
redis.call('ZADD', KEYS[1], expires, ARGV[2])
redis.call('ZADD', KEYS[2], expires, ARGV[2])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZADD', KEYS[4], now, ARGV[2])
if ARGV[7] == '1' then redis.call('ZADD', KEYS[5], now, ARGV[2]) end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], math.ceil(tonumber(ARGV[9]) + tonumber(ARGV[10]))) end
return '0'
"""


class RedisSlots:
    """Slots in Redis sorted sets, taken by one Lua script (atomic across machines)."""

    def __init__(
        self, redis: Any, *, budget_key: str, limits: Limits, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.redis, self.limits, self.lease_seconds = redis, limits, lease_seconds
        self.prefix = f"asana-budget:{budget_key}"
        self._take = redis.register_script(_TAKE)
        self._leases: dict[str, tuple[str, str]] = {}

    def try_take(self, ask: Ask) -> float:
        kind_key = f"{self.prefix}:leases:{ask.kind}"
        person_key = f"{self.prefix}:leases:{ask.kind}:person:{ask.person}"
        keys = [
            kind_key,
            person_key,
            f"{self.prefix}:sent",
            f"{self.prefix}:sent:person:{ask.person}",
            f"{self.prefix}:sent:background",
        ]
        limits = self.limits
        wait = float(
            self._take(
                keys=keys,
                args=[
                    ask.now,
                    ask.lease,
                    limits.concurrent(ask.kind, background=ask.background),
                    limits.person_concurrent(
                        ask.kind, background=ask.background, person=ask.person
                    ),
                    limits.per_minute,
                    limits.person_minute(background=ask.background, person=ask.person),
                    int(ask.background),
                    limits.minute(background=True),
                    self.lease_seconds,
                    WINDOW_SECONDS,
                    POLL_SECONDS,
                ],
            )
        )
        if wait <= 0:
            self._leases[ask.lease] = (kind_key, person_key)
        return wait

    def forget(self) -> None:
        """A new minute, no slots held (benchmarks measure a cold page as a user meets it)."""
        for key in self.redis.scan_iter(f"{self.prefix}:*"):
            self.redis.delete(key)

    def give_back(self, lease: str) -> None:
        keys = self._leases.pop(lease, None)
        if keys is not None:
            pipe = self.redis.pipeline()
            for key in keys:
                pipe.zrem(key, lease)
            pipe.execute()


# --- a SQLite file (one machine, no Redis) ---------------------------------------------------


class FileSlots:
    """Slots in a SQLite file: each take is one IMMEDIATE transaction, so the file's lock
    makes it atomic between the processes of this machine."""

    def __init__(
        self, path: Path, *, budget_key: str, limits: Limits, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.path, self.budget_key, self.limits = path, budget_key, limits
        self.lease_seconds = lease_seconds
        db = self._connect()
        try:
            # Kept by the file: readers and the one writer do not block each other.
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS lease (
                    id TEXT PRIMARY KEY, budget TEXT, kind TEXT, person TEXT, expires REAL);
                CREATE TABLE IF NOT EXISTS sent (
                    budget TEXT, person TEXT, background INTEGER, at REAL);
                CREATE INDEX IF NOT EXISTS sent_at ON sent (budget, at);
                """
            )
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        # Waits for another process's transaction instead of failing (the busy timeout).
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def try_take(self, ask: Ask) -> float:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            wait = self._try_take(db, ask)
            db.execute("COMMIT")
            return wait
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _try_take(self, db: sqlite3.Connection, ask: Ask) -> float:
        budget, limits, now = self.budget_key, self.limits, ask.now
        window_start = now - WINDOW_SECONDS
        db.execute("DELETE FROM lease WHERE expires < ?", (now,))
        db.execute("DELETE FROM sent WHERE at < ?", (window_start,))

        def count(sql: str, *params: Any) -> int:
            return db.execute(sql, (budget, *params)).fetchone()[0]

        def until_one_leaves(where: str, *params: Any) -> float:
            oldest = db.execute(
                f"SELECT MIN(at) FROM sent WHERE budget = ? {where}",  # noqa: S608 - fixed SQL
                (budget, *params),
            ).fetchone()[0]
            return (oldest + WINDOW_SECONDS - now) if oldest is not None else POLL_SECONDS

        cap = limits.concurrent(ask.kind, background=ask.background)
        if count("SELECT COUNT(*) FROM lease WHERE budget = ? AND kind = ?", ask.kind) >= cap:
            return POLL_SECONDS
        person_leases = "SELECT COUNT(*) FROM lease WHERE budget = ? AND kind = ? AND person = ?"
        person_cap = limits.person_concurrent(
            ask.kind, background=ask.background, person=ask.person
        )
        if count(person_leases, ask.kind, ask.person) >= person_cap:
            return POLL_SECONDS
        if count("SELECT COUNT(*) FROM sent WHERE budget = ?") >= limits.per_minute:
            return until_one_leaves("")
        person_sent = "SELECT COUNT(*) FROM sent WHERE budget = ? AND person = ?"
        person_minute = limits.person_minute(background=ask.background, person=ask.person)
        if count(person_sent, ask.person) >= person_minute:
            return until_one_leaves("AND person = ?", ask.person)
        background_sent = "SELECT COUNT(*) FROM sent WHERE budget = ? AND background = 1"
        if ask.background and count(background_sent) >= limits.minute(background=True):
            return until_one_leaves("AND background = 1")
        db.execute(
            "INSERT INTO lease VALUES (?, ?, ?, ?, ?)",
            (ask.lease, budget, ask.kind, ask.person, now + self.lease_seconds),
        )
        db.execute(
            "INSERT INTO sent VALUES (?, ?, ?, ?)", (budget, ask.person, ask.background, now)
        )
        return 0.0

    def give_back(self, lease: str) -> None:
        db = self._connect()
        try:
            db.execute("DELETE FROM lease WHERE id = ?", (lease,))
        finally:
            db.close()

    def forget(self) -> None:
        """A new minute, no slots held (benchmarks measure a cold page as a user meets it)."""
        db = self._connect()
        try:
            db.execute("DELETE FROM lease WHERE budget = ?", (self.budget_key,))
            db.execute("DELETE FROM sent WHERE budget = ?", (self.budget_key,))
        finally:
            db.close()
