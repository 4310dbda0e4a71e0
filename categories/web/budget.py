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
leaks it only until then. The minute is a sliding window of the requests sent, each
counted from when it took its slot until it was answered, then for a minute after: Asana
counts a request when it arrives, somewhere in between, so a minute counted from the take
alone could let the 1,501st request of a late-arriving minute in early. In Redis
both are measured by Redis's own clock, so servers whose clocks disagree still agree on
the budget. A 429 from Asana (`hold_off`) stops every process until its Retry-After.

Fairness (`Limits`): one person may hold at most half of the concurrent slots and send at
most half of the minute's requests, so a big report cannot starve everyone else;
background work (the job worker, `background_work()`) may use at most 80 % of the minute
and of the reads, and 12 of the 15 writes, so pages keep headroom while a job runs. The
shares are settings (ASANA_BUDGET_PERSON_SHARE, ASANA_BUDGET_BACKGROUND_SHARE,
ASANA_BUDGET_BACKGROUND_WRITES). Who is asking comes from a context variable set per
request (`acting_for`, by BudgetShareMiddleware); pool threads inherit it.

Which budget is used is the caller's `budget_key`: an opaque name, never a token (a hash
of the deployment token; with per-person sign-in, one that outlives token refreshes).

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
    """A token's limits (Asana's: 50 reads and 15 writes at once, `per_minute` a minute),
    and the shares of them one person and background work may take."""

    per_minute: int
    reads: int = 50
    writes: int = 15
    person_share: float = 0.5
    background_share: float = 0.8
    background_writes: int = 12
    window_seconds: float = 60.0  # Asana's minute (shorter only in tests)

    def concurrent(self, kind: str, *, background: bool) -> int:
        if kind == "read":
            return self._share(self.reads, self.background_share if background else 1)
        return min(self.writes, self.background_writes) if background else self.writes

    def minute(self, *, background: bool) -> int:
        return self._share(self.per_minute, self.background_share if background else 1)

    def person_concurrent(self, kind: str, *, background: bool, person: str) -> int:
        """A person's cap; background work has its own (above), nobody in particular none."""
        if background or not person:
            return self.concurrent(kind, background=background)
        whole = self.reads if kind == "read" else self.writes
        return max(1, math.ceil(whole * self.person_share))

    def person_minute(self, *, background: bool, person: str) -> int:
        if background or not person:
            return self.minute(background=background)
        return max(1, math.ceil(self.per_minute * self.person_share))

    @staticmethod
    def _share(whole: int, share: float) -> int:
        return max(1, math.floor(whole * share))


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

    def give_back(self, lease: str, *, now: float) -> None:
        """Free the lease's slot; its request counts in the minute from `now` (answered)."""

    def hold_off(self, seconds: float, *, now: float) -> None:
        """No slot for anyone for `seconds` (Asana's Retry-After)."""

    def forget(self) -> None: ...


class SharedBudget:
    """The client's budget (categories.asana.limiter.Budget), kept in a store every
    process shares."""

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
            self.store.give_back(lease, now=self.clock())

    def hold_off(self, seconds: float) -> None:
        if seconds > 0:
            self.store.hold_off(seconds, now=self.clock())

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

# KEYS: 1 leases of the kind, 2 the person's leases of the kind, 3 requests sent, 4 the
#       person's, 5 background's, 6 Asana's pause (a 429's Retry-After).
# ARGV: 1 lease, 2 concurrent cap, 3 person's cap, 4 minute cap, 5 person's minute cap,
#       6 background (0/1), 7 background minute cap, 8 lease seconds, 9 window seconds,
#       10 poll seconds.
# Time is Redis's own (TIME): every server measures leases and the minute by one clock.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = tonumber(ARGV[9])
local poll = tonumber(ARGV[10])
local paused = tonumber(redis.call('GET', KEYS[6]) or '0')
if paused > now then return tostring(paused - now) end
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
for i = 3, 5 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window) end
local function until_one_leaves(key)
  local oldest = redis.call('ZRANGE', KEYS[key], 0, 0, 'WITHSCORES')
  if oldest[2] then return tonumber(oldest[2]) + window - now end
  return poll
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return tostring(poll) end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return tostring(poll) end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then return tostring(until_one_leaves(3)) end
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[5]) then return tostring(until_one_leaves(4)) end
if ARGV[6] == '1' and redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[7]) then
  return tostring(until_one_leaves(5))
end
local expires = now + tonumber(ARGV[8])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('ZADD', KEYS[4], now, ARGV[1])
if ARGV[6] == '1' then redis.call('ZADD', KEYS[5], now, ARGV[1]) end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], math.ceil(tonumber(ARGV[8]) + window)) end
return '0'
"""

# KEYS: 1 the pause. ARGV: 1 seconds. Only ever lengthens a pause.
_HOLD_OFF = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local seconds = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < now + seconds then
  redis.call('SET', KEYS[1], tostring(now + seconds), 'PX', math.ceil(seconds * 1000))
end
return 1
"""


# KEYS: 1, 2 the leases the slot is in; 3, 4, 5 the minutes its request counts in.
# ARGV: 1 lease. The request counts in the minute from now, when it was answered (a key
# it was already dropped from stays without it: XX).
_GIVE_BACK = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
for i = 1, 2 do redis.call('ZREM', KEYS[i], ARGV[1]) end
for i = 3, 5 do redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1]) end
return 1
"""


class RedisSlots:
    """Slots in Redis sorted sets, taken by one Lua script (atomic across machines)."""

    def __init__(
        self, redis: Any, *, budget_key: str, limits: Limits, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.redis, self.limits, self.lease_seconds = redis, limits, lease_seconds
        # One hash tag for all of a budget's keys: a Redis Cluster keeps them on one node,
        # as a script touching several keys needs.
        self.prefix = f"asana-budget:{{{budget_key}}}"
        self._take = redis.register_script(_TAKE)
        self._hold_off = redis.register_script(_HOLD_OFF)
        self._give_back = redis.register_script(_GIVE_BACK)
        self._leases: dict[str, list[str]] = {}

    def try_take(self, ask: Ask) -> float:
        kind_key = f"{self.prefix}:leases:{ask.kind}"
        person_key = f"{self.prefix}:leases:{ask.kind}:person:{ask.person}"
        keys = [
            kind_key,
            person_key,
            f"{self.prefix}:sent",
            f"{self.prefix}:sent:person:{ask.person}",
            f"{self.prefix}:sent:background",
            f"{self.prefix}:paused",
        ]
        limits = self.limits
        wait = float(
            self._take(
                keys=keys,
                args=[
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
                    limits.window_seconds,
                    POLL_SECONDS,
                ],
            )
        )
        if wait <= 0:
            self._leases[ask.lease] = keys[:5]
        return wait

    def hold_off(self, seconds: float, *, now: float) -> None:
        self._hold_off(keys=[f"{self.prefix}:paused"], args=[seconds])

    def forget(self) -> None:
        """A new minute, no slots held (benchmarks measure a cold page as a user meets it)."""
        for key in self.redis.scan_iter(f"{self.prefix}:*"):
            self.redis.delete(key)

    def give_back(self, lease: str, *, now: float) -> None:
        keys = self._leases.pop(lease, None)
        if keys is not None:
            self._give_back(keys=keys, args=[lease])


# --- a SQLite file (one machine, no Redis) ---------------------------------------------------


_FILE_SCHEMA = 2
_FILE_TABLES = (
    "DROP TABLE IF EXISTS lease",
    "DROP TABLE IF EXISTS sent",
    "DROP TABLE IF EXISTS pause",
    "CREATE TABLE lease (id TEXT PRIMARY KEY, budget TEXT, kind TEXT, person TEXT, expires REAL)",
    "CREATE TABLE sent (lease TEXT, budget TEXT, person TEXT, background INTEGER, at REAL)",
    "CREATE INDEX sent_at ON sent (budget, at)",
    "CREATE INDEX sent_lease ON sent (lease)",
    "CREATE TABLE pause (budget TEXT PRIMARY KEY, until REAL)",
    f"PRAGMA user_version = {_FILE_SCHEMA}",
)


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
            db.execute("BEGIN IMMEDIATE")
            if db.execute("PRAGMA user_version").fetchone()[0] != _FILE_SCHEMA:
                # Only the last minute's slots live here: an older layout is dropped.
                for statement in _FILE_TABLES:
                    db.execute(statement)
            db.execute("COMMIT")
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
        paused = db.execute("SELECT until FROM pause WHERE budget = ?", (budget,)).fetchone()
        if paused is not None and paused[0] > now:
            return paused[0] - now
        window = limits.window_seconds
        window_start = now - window
        db.execute("DELETE FROM lease WHERE expires < ?", (now,))
        db.execute("DELETE FROM sent WHERE at < ?", (window_start,))

        def count(sql: str, *params: Any) -> int:
            return db.execute(sql, (budget, *params)).fetchone()[0]

        def until_one_leaves(where: str, *params: Any) -> float:
            oldest = db.execute(
                f"SELECT MIN(at) FROM sent WHERE budget = ? {where}",  # noqa: S608 - fixed SQL
                (budget, *params),
            ).fetchone()[0]
            return (oldest + window - now) if oldest is not None else POLL_SECONDS

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
            "INSERT INTO sent VALUES (?, ?, ?, ?, ?)",
            (ask.lease, budget, ask.person, ask.background, now),
        )
        return 0.0

    def give_back(self, lease: str, *, now: float) -> None:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM lease WHERE id = ?", (lease,))
            # The request counts in the minute from when it was answered.
            db.execute("UPDATE sent SET at = MAX(at, ?) WHERE lease = ?", (now, lease))
            db.execute("COMMIT")
        finally:
            db.close()

    def hold_off(self, seconds: float, *, now: float) -> None:
        db = self._connect()
        try:
            db.execute(
                "INSERT INTO pause VALUES (?, ?) ON CONFLICT (budget) "
                "DO UPDATE SET until = MAX(until, excluded.until)",
                (self.budget_key, now + seconds),
            )
        finally:
            db.close()

    def forget(self) -> None:
        """A new minute, no slots held (benchmarks measure a cold page as a user meets it)."""
        db = self._connect()
        try:
            db.execute("DELETE FROM lease WHERE budget = ?", (self.budget_key,))
            db.execute("DELETE FROM sent WHERE budget = ?", (self.budget_key,))
            db.execute("DELETE FROM pause WHERE budget = ?", (self.budget_key,))
        finally:
            db.close()
