"""The per-token budget: concurrent reads and writes bounded, the rate held to a minute's budget."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from categories.asana import BudgetExhausted
from categories.asana.limiter import MinuteWindow, RequestBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_minute_lets_its_requests_go_at_once_then_waits_for_the_oldest() -> None:
    clock = FakeClock()
    minute = MinuteWindow(3, window_seconds=60, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        minute.answered(minute.take())
        clock.now += 1

    minute.take()

    assert clock.sleeps == [57.0]  # a minute after the first answer (at 0 s), now at 3 s


def test_a_request_counts_in_the_minute_until_a_minute_after_its_answer() -> None:
    clock = FakeClock()
    minute = MinuteWindow(1, window_seconds=60, clock=clock, sleep=clock.sleep)
    request = minute.take()
    clock.now += 10  # a slow answer: Asana may have counted it as late as this
    minute.answered(request)

    minute.take()

    assert clock.now == 70.0


def test_a_full_minute_of_requests_in_flight_waits_for_an_answer() -> None:
    minute = MinuteWindow(2, window_seconds=0.3)
    first, _second = minute.take(), minute.take()
    answers = threading.Timer(0.1, minute.answered, args=(first,))
    answers.start()
    started = time.monotonic()

    minute.take()

    assert time.monotonic() - started >= 0.35  # answered after 0.1 s, then its window
    answers.join()


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
