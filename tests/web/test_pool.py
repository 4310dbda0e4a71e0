"""Tasks on the report pool end as requests do: their old database connections closed."""

from __future__ import annotations

import threading

import pytest

from categories.web import pool


def test_each_report_task_ends_by_closing_its_threads_old_connections(monkeypatch) -> None:
    closed_in: list[str] = []
    monkeypatch.setattr(
        pool,
        "close_old_connections",
        lambda: closed_in.append(threading.current_thread().name),
    )

    ran_in = pool.TASK_POOL.submit(lambda: threading.current_thread().name).result()

    assert closed_in == [ran_in]
    assert ran_in.startswith("report")


def test_a_failing_report_task_still_closes_them(monkeypatch) -> None:
    closed: list[bool] = []
    monkeypatch.setattr(pool, "close_old_connections", lambda: closed.append(True))

    def fails() -> None:
        raise LookupError("Asana said no")

    with pytest.raises(LookupError):
        pool.TASK_POOL.submit(fails).result()
    assert closed == [True]
