"""The thread pools a request uses to ask Asana several things side by side.

`asana_executor()` is the one shared pool for single Asana requests (date windows, the
identity, a category's name): its tasks never wait on other tasks. `task_executor()` runs
whole tasks that themselves fan requests out on `asana_executor()` and wait for them (a
category's report next to its name; one report per category in the overview).

Why two pools: a task that waits on the pool it runs in can deadlock it. With every
worker of one bounded pool busy in such a wait, nothing is left to run what they wait
for. Keeping the waiting tasks on a pool of their own guarantees the request pool always
has workers for the requests they wait on.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections

T = TypeVar("T")

# Each entries page holds two tasks (its report and its heading) while Asana answers.
TASK_WORKERS = 16


@cache
def asana_executor() -> ThreadPoolExecutor | None:
    """The bounded pool for fetching from Asana side by side (date windows, categories).

    None in demo mode: the in-process sandbox has no network wait to overlap, and its
    data lives in the request thread's database connection (and transaction).
    """
    if settings.DEMO_MODE:
        return None
    return ContextPool(max_workers=settings.ASANA_MAX_CONCURRENCY, thread_name_prefix="asana")


class ContextPool(ThreadPoolExecutor):
    """Tasks run in the context of the code that submitted them: the token budget knows
    whose request a fetch on a pool thread serves (categories.web.budget.acting_for)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


class TaskPool(ContextPool):
    """Each task ends as a request does: database connections it opened (a database
    cache backend, say) are closed, or kept per CONN_MAX_AGE, and never left to age in a
    long-lived thread."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(_then_close_old_connections, fn, *args, **kwargs)


def _then_close_old_connections(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


# Module-level: threads are made as needed, reused across requests, bounded per process.
TASK_POOL = TaskPool(max_workers=TASK_WORKERS, thread_name_prefix="report")


class InlineExecutor(Executor):
    """Runs each task at once, in the calling thread (an Executor without threads)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # raised again where the result is read, as from a pool
            future.set_exception(error)
        return future


def task_executor() -> Executor:
    """The task pool; in demo mode the request's own thread, as for every fetch there
    (no shared pool: the sandbox answers from the request thread's database connection)."""
    return TASK_POOL if asana_executor() is not None else InlineExecutor()
