"""Asana's per-token limits in the sandbox: requests in flight, requests a minute, and what
went over, counted always and refused with 429 when enforced; over real HTTP, every
process serving the port counts as one Asana."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from categories.sandbox.limits import (
    Limits,
    UsageTable,
    reset_usage,
    set_limits,
    token_fingerprint,
    usage_report,
    usage_table,
)
from tests.support.sandbox import MANAGE, REPO, Api, migrated_database, sandbox_session


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def table(per_minute: int = 1500, reads: int = 50, writes: int = 15, *, enforce: bool) -> Any:
    clock = Clock()
    return UsageTable(Limits(per_minute, reads, writes, enforce), clock=clock), clock


# --- counting --------------------------------------------------------------------------


def test_requests_in_flight_are_counted_per_token_with_their_peaks() -> None:
    usage, _ = table(enforce=False)

    writes = [usage.enter("Bearer a", "PUT") for _ in range(4)]
    reads = [usage.enter("Bearer a", "GET") for _ in range(2)]
    other = usage.enter("Bearer b", "POST")
    for ticket in [*writes, *reads, other]:
        usage.leave(ticket)
    usage.leave(usage.enter("Bearer a", "DELETE"))

    report = usage.report()
    by_token = {t["fingerprint"]: t for t in report["tokens"]}
    a, b = by_token[token_fingerprint("a")], by_token[token_fingerprint("b")]
    assert (a["requests"], a["peak_writes"], a["peak_reads"], a["writes"]) == (7, 4, 2, 0)
    assert (b["requests"], b["peak_writes"]) == (1, 1)
    assert report["peak_writes"] == 4  # the busiest token's: the limits are per token
    assert report["requests"] == 8
    assert report["over_budget"] == 0
    assert a["token"] == "a"  # enough of a token to recognise it, never more than 8 characters


def test_the_minute_is_a_sliding_window_of_60_seconds() -> None:
    usage, clock = table(enforce=False)

    for _ in range(5):
        usage.leave(usage.enter("Bearer a", "GET"))
        clock.now += 20  # 0, 20, 40, 60, 80 s

    (token,) = usage.report()["tokens"]
    assert token["peak_per_minute"] == 3  # at 40 s: 0, 20 and 40; at 60 s the first is out
    assert token["last_minute"] == 2  # now (100 s): 60 and 80


def test_over_budget_requests_are_counted_but_answered_when_not_enforced() -> None:
    usage, _ = table(per_minute=1500, writes=2, enforce=False)

    tickets = [usage.enter("Bearer a", "PUT") for _ in range(3)]

    assert not any(ticket.refused for ticket in tickets)
    report = usage.report()
    assert report["over_budget"] == 1
    assert report["over_budget_by_limit"] == {"per_minute": 0, "reads": 0, "writes": 1}
    assert report["peak_writes"] == 3


def test_an_enforced_concurrency_limit_refuses_with_retry_after_1() -> None:
    usage, _ = table(writes=2, enforce=True)

    first, second, third = (usage.enter("Bearer a", "PUT") for _ in range(3))

    assert (first.refused, second.refused, third.refused) == (False, False, True)
    assert third.retry_after == 1
    usage.leave(third)  # a refused request holds nothing
    usage.leave(first)
    assert not usage.enter("Bearer a", "PUT").refused
    assert usage.enter("Bearer b", "PUT").refused is False  # another token, its own limits
    report = usage.report()
    assert (report["peak_writes"], report["over_budget"]) == (2, 1)


def test_an_enforced_minute_refuses_until_the_oldest_request_is_a_minute_old() -> None:
    usage, clock = table(per_minute=3, enforce=True)
    for _ in range(3):
        usage.leave(usage.enter("Bearer a", "GET"))
        clock.now += 10

    refused = usage.enter("Bearer a", "GET")  # at 30 s: the first is 30 s from leaving
    clock.now += 30.5
    allowed = usage.enter("Bearer a", "GET")

    assert refused.retry_after == 30
    assert not allowed.refused
    report = usage.report()
    assert report["over_budget_by_limit"]["per_minute"] == 1
    assert report["peak_per_minute"] == 3


def test_reset_zeroes_the_counters_and_keeps_the_limits() -> None:
    usage, _ = table(per_minute=10, reads=2, writes=1, enforce=True)
    usage.enter("Bearer a", "PUT")
    usage.enter("Bearer a", "PUT")

    usage.reset()

    report = usage.report()
    assert (report["requests"], report["over_budget"], report["tokens"]) == (0, 0, [])
    assert report["limits"] == {"per_minute": 10, "reads": 2, "writes": 1, "enforce": True}


@pytest.mark.parametrize("text", ["1500", "a,b,c", "0,50,15", "5000,50,15", "1500,0,15"])
def test_impossible_limits_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"per_minute|reads|SANDBOX_LIMITS"):
        Limits.from_setting(text)


def test_no_setting_counts_against_asanas_limits_without_enforcing() -> None:
    assert Limits.from_setting("") == Limits(1500, 50, 15, enforce=False)
    assert Limits.from_setting("150,50,15") == Limits(150, 50, 15, enforce=True)


# --- through the adapter ---------------------------------------------------------------


@pytest.fixture
def fresh_usage() -> Iterator[None]:
    before = usage_table().limits
    reset_usage()
    yield
    usage_table().set_limits(before)
    reset_usage()


def at_once(count: int, request: Callable[[int], requests.Response]) -> list[requests.Response]:
    """`count` requests sent at the same moment, each from its own thread (given its number)."""
    start = threading.Barrier(count)

    def send(number: int) -> requests.Response:
        start.wait()
        return request(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(send, range(count)))


def test_the_adapter_counts_concurrent_requests(
    demo: None, fresh_usage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_LATENCY_MS", "300")
    api = Api(sandbox_session("counted-token"))

    answers = at_once(6, lambda _: api.get("/workspaces"))

    assert [a.status_code for a in answers] == [200] * 6
    (token,) = usage_report()["tokens"]
    assert token["fingerprint"] == token_fingerprint("counted-token")
    assert (token["requests"], token["peak_reads"], token["reads"]) == (6, 6, 0)


def test_the_adapter_enforces_limits_with_asanas_429(
    demo: None, fresh_usage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_LATENCY_MS", "300")
    set_limits(reads=2, enforce=True)
    api = Api(sandbox_session())

    answers = at_once(5, lambda _: api.get("/workspaces"))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429, 429, 429]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["Retry-After"] == "1"
    assert "too many requests" in refused.json()["errors"][0]["message"]
    report = usage_report()
    assert (report["over_budget"], report["peak_reads"]) == (3, 2)


# --- over HTTP, several processes --------------------------------------------------------

CONTROL = "limits-test-control-token"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sandbox command in 3 processes at 1 s latency, enforcing 3 concurrent writes."""
    env = migrated_database(tmp_path_factory.mktemp("sandbox-limits"))
    env |= {"SANDBOX_CONTROL_TOKEN": CONTROL, "SANDBOX_LIMITS": "1500,50,3"}
    subprocess.run([*MANAGE, "seed_sandbox"], cwd=REPO, env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*MANAGE, "asana_sandbox", "--port", "0", "--processes", "3", "--latency-ms", "1000"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def control(base_url: str, method: str, path: str, **payload: Any) -> requests.Response:
    root = base_url.rsplit("/api/", 1)[0]
    headers = {"Authorization": f"Bearer {CONTROL}"}
    return requests.request(method, root + path, json=payload or None, headers=headers, timeout=10)


def move(base_url: str, entry: int, *, category: int) -> requests.Response:
    # A new connection each time: the kernel spreads new connections over the processes.
    return requests.put(
        f"{base_url}/time_tracking_entries/121000000000{entry:04d}",
        json={"data": {"categories": [f"120900000000{category:04d}"]}},
        headers={"Authorization": "Bearer mover", "Connection": "close"},
        timeout=10,
    )


def test_every_process_counts_against_one_budget(served: str) -> None:
    control(served, "DELETE", "/_sandbox/usage")

    answers = at_once(9, lambda number: move(served, 10 + number, category=2))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 3 + [429] * 6  # three processes, and still three writes at once
    usage = control(served, "GET", "/_sandbox/usage").json()["data"]
    assert (usage["requests"], usage["over_budget"], usage["peak_writes"]) == (9, 6, 3)
    assert usage["over_budget_by_limit"]["writes"] == 6
    assert usage["limits"] == {"per_minute": 1500, "reads": 50, "writes": 3, "enforce": True}


def test_concurrent_moves_of_one_entry_leave_it_exactly_one_category(served: str) -> None:
    control(served, "PUT", "/_sandbox/limits", writes=15)
    try:
        answers = at_once(8, lambda number: move(served, 21, category=2 + number % 5))
    finally:
        control(served, "PUT", "/_sandbox/limits", writes=3)

    assert {a.status_code for a in answers} == {200}
    entry = requests.get(
        f"{served}/time_tracking_entries/1210000000000021",
        headers={"Authorization": "Bearer reader"},
        timeout=10,
    ).json()["data"]
    assert len(entry["categories"]) == 1


def test_limits_change_over_the_control_api(served: str) -> None:
    changed = control(served, "PUT", "/_sandbox/limits", per_minute=100, enforce=False)
    refused = control(served, "PUT", "/_sandbox/limits", per_minute=0)
    unknown = control(served, "PUT", "/_sandbox/limits", burst=5)
    control(served, "PUT", "/_sandbox/limits", per_minute=1500, enforce=True)

    assert changed.json()["data"] == {"per_minute": 100, "reads": 50, "writes": 3, "enforce": False}
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"].startswith("limits: per_minute")
    assert unknown.status_code == 400


def test_the_usage_report_needs_the_control_token(served: str) -> None:
    root = served.rsplit("/api/", 1)[0]

    anonymous = requests.get(f"{root}/_sandbox/usage", timeout=10)
    wrong = requests.get(
        f"{root}/_sandbox/usage", headers={"Authorization": "Bearer mover"}, timeout=10
    )

    assert (anonymous.status_code, wrong.status_code) == (401, 401)


def test_on_postgresql_concurrent_moves_of_one_entry_leave_one_category(
    postgres: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """PostgreSQL runs the writes side by side (SQLite runs them one at a time): the row
    lock each PUT takes first still leaves the entry exactly one category."""
    import psycopg

    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS sandbox_entries_test")
        connection.execute("CREATE DATABASE sandbox_entries_test")
    env = migrated_database(tmp_path_factory.mktemp("unused"))
    env |= {"DATABASE_URL": postgres.url("sandbox_entries_test"), "SANDBOX_CONTROL_TOKEN": CONTROL}
    for command in (("migrate", "-v0"), ("seed_sandbox",)):
        subprocess.run([*MANAGE, *command], cwd=REPO, env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*MANAGE, "asana_sandbox", "--port", "0", "--processes", "3", "--latency-ms", "200"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        base_url = process.stdout.readline().strip()
        answers = at_once(12, lambda number: move(base_url, 33, category=2 + number % 5))
        entry = requests.get(
            f"{base_url}/time_tracking_entries/1210000000000033",
            headers={"Authorization": "Bearer reader"},
            timeout=10,
        ).json()["data"]
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert {a.status_code for a in answers} == {200}
    assert len(entry["categories"]) == 1
