"""The token's budget is one budget for every process: in Redis (any number of servers) or,
without Redis, in a file every process of the machine shares. Real servers and real
processes (each spawned, a fresh interpreter like a separate server), no mocks."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from categories.asana.errors import BudgetExhausted
from categories.web.budget import Limits, acting_for
from tests.support.budget_workers import hold_forever, hold_off, make_budget, send, send_for

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.servers), "file"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "redis":
        import redis

        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        return url
    return str(tmp_path / "budget.sqlite3")


def in_processes(count: int, target: Callable[..., Any], **kwargs: Any) -> list[Any]:
    with SPAWN.Pool(count) as pool:
        return pool.starmap(_call, [(target, kwargs)] * count)


def _call(target: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    return target(**kwargs)


def most_at_once(spans: list[tuple[str, float, float]]) -> int:
    events = sorted(
        [(start, 1) for outcome, start, _ in spans if outcome == "sent"]
        + [(end, -1) for outcome, _, end in spans if outcome == "sent"],
        key=lambda event: (event[0], event[1]),
    )
    current = peak = 0
    for _, change in events:
        current += change
        peak = max(peak, current)
    return peak


def test_four_processes_never_exceed_the_concurrent_writes(where: str) -> None:
    limits = Limits(per_minute=1000, writes=3)
    results = in_processes(
        4, send, where=where, limits=limits, requests=6, method="PUT", hold=0.05, wait=10
    )
    spans = [span for result in results for span in result]
    assert [outcome for outcome, *_ in spans].count("sent") == 24
    assert most_at_once(spans) <= 3


def test_four_processes_never_exceed_the_minute(where: str) -> None:
    limits = Limits(per_minute=20)
    results = in_processes(4, send, where=where, limits=limits, requests=10, wait=0.3)
    outcomes = [outcome for result in results for outcome, *_ in result]
    assert outcomes.count("sent") == 20
    assert outcomes.count("refused") == 20


def most_in_any_window(spans: list[tuple[str, float, float]], window: float) -> int:
    """The most requests Asana could count in one window, each arriving anywhere between
    its start and its end (the worst case: a window ending at some request's start holds
    every request that started before and ended less than a window before)."""
    sent = [(start, end) for outcome, start, end in spans if outcome == "sent"]
    return max(
        sum(1 for start, end in sent if start <= edge and end > edge - window) for edge, _ in sent
    )


def test_the_minute_holds_wherever_in_its_trip_asana_counts_a_request(where: str) -> None:
    limits = Limits(per_minute=5, window_seconds=1.0)
    results = in_processes(3, send_for, where=where, limits=limits, seconds=3.5, hold=0.3)
    spans = [span for result in results for span in result]
    assert len(spans) >= 10  # several windows were spent and rolled over
    assert most_in_any_window(spans, 1.0) <= 5


def test_a_request_counts_in_the_minute_from_its_answer(where: str) -> None:
    limits = Limits(per_minute=1, window_seconds=2.0)
    budget = make_budget(where, limits, wait=0)
    taken = time.time()
    with budget.slot("GET"):
        time.sleep(1.2)  # a slow answer
    answered = time.time()
    time.sleep(max(0.0, taken + 2.2 - time.time()))  # a window after the take, not the answer
    with pytest.raises(BudgetExhausted), budget.slot("GET"):
        pass
    time.sleep(max(0.0, answered + 2.1 - time.time()))
    with budget.slot("GET"):  # a window after the answer
        pass


def test_a_killed_process_leaks_its_slot_only_until_the_lease_ends(where: str) -> None:
    limits = Limits(per_minute=1000, writes=1)
    holding = SPAWN.Event()
    holder = SPAWN.Process(target=hold_forever, args=(where, limits, 1.0, holding))
    holder.start()
    assert holding.wait(timeout=60)
    budget = make_budget(where, limits, wait=0.2)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    with pytest.raises(BudgetExhausted), budget.slot("PUT"):
        pass
    time.sleep(1.1)
    with budget.slot("PUT"):  # the lease ran out: the slot is free again
        pass


def test_one_person_cannot_take_more_than_half_of_the_minute(where: str) -> None:
    limits = Limits(per_minute=10)
    greedy = send(where, limits, requests=10, person="user:1", wait=0.1)
    other = send(where, limits, requests=5, person="user:2", wait=0.1)
    assert [outcome for outcome, *_ in greedy].count("sent") == 5
    assert [outcome for outcome, *_ in other].count("sent") == 5


def test_one_person_holding_slots_leaves_the_other_half_to_everyone_else(where: str) -> None:
    limits = Limits(per_minute=1000, reads=4)
    budget = make_budget(where, limits, wait=0.1)
    with ExitStack() as held:
        with acting_for("user:1"):
            held.enter_context(budget.slot("GET"))
            held.enter_context(budget.slot("GET"))
            with pytest.raises(BudgetExhausted), budget.slot("GET"):
                pass  # a third would be more than half of the token's reads
        with acting_for("user:2"), budget.slot("GET"), budget.slot("GET"):
            pass  # the other half is free for someone else


def test_background_work_leaves_pages_a_fifth_of_the_minute(where: str) -> None:
    limits = Limits(per_minute=10)
    job = send(where, limits, requests=10, background=True, wait=0.1)
    page = send(where, limits, requests=2, person="user:1", wait=0.1)
    assert [outcome for outcome, *_ in job].count("sent") == 8
    assert [outcome for outcome, *_ in page].count("sent") == 2


def test_background_writes_leave_three_of_the_fifteen(where: str) -> None:
    limits = Limits(per_minute=1000)
    results = in_processes(
        2, send, where=where, limits=limits, requests=12, method="PUT", hold=0.2,
        background=True, wait=5,
    )  # fmt: skip
    spans = [span for result in results for span in result]
    assert most_at_once(spans) <= 12


def test_an_exhausted_budget_says_when_to_try_again(where: str) -> None:
    limits = Limits(per_minute=2)
    send(where, limits, requests=2, wait=0.1)
    budget = make_budget(where, limits, wait=0.1)
    with pytest.raises(BudgetExhausted) as refused, budget.slot("GET"):
        pass
    assert 1 <= refused.value.retry_after <= 60


def test_a_429_in_one_process_pauses_every_process_until_its_retry_after(where: str) -> None:
    limits = Limits(per_minute=1000)
    in_processes(1, hold_off, where=where, limits=limits, seconds=1.5)
    budget = make_budget(where, limits, wait=0.2)
    with pytest.raises(BudgetExhausted) as refused, budget.slot("GET"):
        pass
    assert refused.value.retry_after in (1, 2)
    time.sleep(1.6)
    with budget.slot("GET"):  # the pause is over
        pass


def test_servers_whose_clocks_disagree_still_share_one_minute(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    limits = Limits(per_minute=4)
    ahead = make_budget(redis_url, limits, wait=0.1, clock=lambda: time.time() + 3600)
    behind = make_budget(redis_url, limits, wait=0.1, clock=lambda: time.time() - 3600)
    sent = 0
    for _ in range(3):
        for budget in (ahead, behind):
            try:
                with budget.slot("GET"):
                    sent += 1
            except BudgetExhausted:
                pass
    assert sent == 4  # the minute is measured by Redis's clock, not by each server's


def test_the_shares_are_settings_of_the_limits() -> None:
    limits = Limits(per_minute=100, person_share=0.2, background_share=0.5, background_writes=3)
    assert limits.person_minute(background=False, person="user:1") == 20
    assert limits.person_concurrent("read", background=False, person="user:1") == 10
    assert limits.minute(background=True) == 50
    assert limits.concurrent("read", background=True) == 25
    assert limits.concurrent("write", background=True) == 3
    assert limits.concurrent("write", background=False) == 15
