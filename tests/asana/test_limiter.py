"""The per-token budget: concurrent reads and writes bounded, the rate held to a minute's budget."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from categories.asana import BudgetExhausted
from categories.asana.limiter import RequestBudget, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_bucket_allows_a_burst_then_paces_to_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=60, burst=3, clock=clock, sleep=clock.sleep)

    waits = [bucket.take() for _ in range(5)]

    assert waits[:3] == [0, 0, 0]
    assert waits[3] == 1.0  # 60 a minute: one more a second
    assert waits[4] == 1.0


def test_bucket_refills_while_idle_but_never_above_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=60, burst=2, clock=clock, sleep=clock.sleep)
    bucket.take()
    bucket.take()

    clock.now += 3600

    assert [bucket.take(), bucket.take(), bucket.take()] == [0, 0, 1.0]


def peak_concurrency(budget: RequestBudget, method: str, threads: int) -> int:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, peak
        with budget.slot(method):
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with lock:
                running -= 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work) for _ in range(threads * 2)]:
            future.result()
    return peak


def test_concurrent_reads_are_bounded() -> None:
    budget = RequestBudget(max_concurrent_reads=3, requests_per_minute=100_000)

    assert peak_concurrency(budget, "GET", threads=10) == 3


def test_concurrent_writes_have_their_own_smaller_bound() -> None:
    budget = RequestBudget(
        max_concurrent_reads=10, max_concurrent_writes=2, requests_per_minute=100_000
    )

    assert peak_concurrency(budget, "PUT", threads=8) == 2
    assert peak_concurrency(budget, "GET", threads=8) == 8


def test_after_a_429_new_requests_wait_out_its_retry_after() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock=clock, sleep=clock.sleep)
    budget.hold_off(7)
    with budget.slot("GET"):
        pass
    assert clock.sleeps == [7]
    with budget.slot("GET"):  # the pause is over
        pass
    assert clock.sleeps == [7]


def test_a_pause_longer_than_the_wait_allowed_refuses_at_once() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock=clock, sleep=clock.sleep, max_wait_seconds=10)
    budget.hold_off(60)
    with pytest.raises(BudgetExhausted) as refused, budget.slot("GET"):
        pass
    assert refused.value.retry_after == 60
    assert clock.sleeps == []


def test_a_stand_in_whose_429s_are_per_request_pauses_nobody() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock=clock, sleep=clock.sleep, learns_pauses=False)
    budget.hold_off(60)
    with budget.slot("GET"):
        pass
    assert clock.sleeps == []
