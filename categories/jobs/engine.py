"""Runs a job in a worker: plan the journal, settle what a crash left in flight, then move
each entry with up to `JOBS_MAX_CONCURRENT_WRITES` PUTs at once, inside the token's shared
budget (as background work, which leaves the pages their headroom).

Every journal write happens on the job's own thread; the pool threads only talk to Asana.
A row is `writing` before its PUT leaves and `done`/`failed` after the answer, so after a
SIGKILL at any point the rows still `writing` are exactly the writes that may have been in
flight: on resume each is read back from Asana (GET) and either confirmed or sent again.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Sum
from django.utils import timezone

from categories.asana import (
    AsanaAuthError,
    AsanaClient,
    AsanaError,
    AsanaRateLimited,
    AsanaUnavailable,
    BudgetExhausted,
    Category,
    TimeEntry,
)
from categories.jobs import crashpoints
from categories.jobs.models import Job, JobEntry
from categories.models import AuditEntry
from categories.services import category_archive, category_delete
from categories.web.answer_cache import forget_answers
from categories.web.budget import background_work
from categories.web.client import acting_as, asana_client
from categories.web.people import PersonAsana, person_asana
from categories.web.pool import InlineExecutor, asana_executor

logger = logging.getLogger("categories.jobs")

HEARTBEAT_SECONDS = 0.5
POLL_SECONDS = 0.2
MAX_ATTEMPTS = 5  # sends of one entry when Asana stays unavailable, before it counts as failed
TRANSIENT = (AsanaUnavailable, AsanaRateLimited, BudgetExhausted)
Row = JobEntry


SIGN_IN_ENDED = (
    "The job writes to Asana as the person who started it, and their sign-in with Asana has "
    "ended (they signed out, or Asana no longer accepts it). Entries already moved stay "
    "moved; once they sign in with Asana again they can start the move again for the rest."
)


class JobStopped(Exception):
    """The job cannot go on (the token was refused, the source vanished): it fails whole."""


@dataclass(frozen=True)
class Outcome:
    # done, failed, "again" (Asana unavailable: send it later) or "wait" (never sent: the
    # token's budget has no slot now; pause the job for `retry_after` seconds)
    state: str
    message: str = ""
    retry_after: float = 0.0
    sent: bool = True  # whether the PUT left this machine


_stop_requested = threading.Event()


def request_stop() -> None:
    """The worker is shutting down (SIGTERM, Ctrl+C): stop between writes and leave the
    job as it is, for the next worker to resume."""
    _stop_requested.set()


def worker_name() -> str:
    """This process, as the job and django-tasks' record of the run both name it (the
    latter allows 64 characters, hence the host's name cut short)."""
    return f"{_host()}:{os.getpid()}"


def _host() -> str:
    return socket.gethostname()[:40]


def job_execute(*, job_id: int) -> None:
    """Run (or resume) a job to its end. Returns at once when another live worker has it."""
    crashpoints.passing("started")
    if not _claim(job_id):
        return
    job = Job.objects.get(pk=job_id)
    try:
        person = _starters_sign_in(job)
    except JobStopped as exc:
        _stop(job, str(exc))
        return
    with acting_as(person), background_work(person=f"job-{job.pk}"):
        try:
            client = asana_client()
            if not job.planned:
                _plan(job, client)
                crashpoints.passing("planned")
            _settle_in_flight(job, client)
            ending = _write_all(job, client)
            if ending != "stopped":
                _finish(job, cancelled=ending == "cancelled")
        except (JobStopped, AsanaError) as exc:
            if person is not None and person.ended:
                # Asana refused the starter's sign-in mid-way (revoked, or it expired).
                _stop(job, SIGN_IN_ENDED)
            else:
                _stop(job, str(exc) if isinstance(exc, JobStopped) else exc.message)
        finally:
            forget_answers()  # the pages must not show categories from before the moves


def _starters_sign_in(job: Job) -> PersonAsana | None:
    """The sign-in the job writes with: its starter's own when they signed in with Asana
    (None: the deployment's token). Their sign-in ended (signed out, revoked in Asana):
    the job stops rather than write as anyone else."""
    if not job.with_own_sign_in:
        return None
    person = person_asana(job.started_by) if job.started_by_id else None
    if person is None:
        raise JobStopped(SIGN_IN_ENDED)
    return person


# --- who runs a job ---------------------------------------------------------------------------


def worker_alive(worker: str, heartbeat_at: dt.datetime | None) -> bool:
    """Whether the worker named on a job may still be running it: on this machine its
    process is asked; elsewhere its heartbeat must be recent."""
    if not worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host == _host() and pid.isdigit():
        if int(pid) == os.getpid():
            return False  # this process, between tasks: it is not running the job
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    stale = timezone.now() - dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    return heartbeat_at is not None and heartbeat_at > stale


def _claim(job_id: int) -> bool:
    """Take the job unless it is finished or a live worker holds it (compare-and-set, so
    two workers never both take it)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return False
    if worker_alive(job.worker, job.heartbeat_at):
        return False
    now = timezone.now()
    state = Job.State.RUNNING if job.state == Job.State.QUEUED else job.state
    taken = Job.objects.filter(pk=job_id, worker=job.worker, heartbeat_at=job.heartbeat_at).update(
        worker=worker_name(), heartbeat_at=now, started_at=job.started_at or now, state=state
    )
    return taken == 1


# --- planning: the whole journal before the first write ----------------------------------------


def _plan(job: Job, client: AsanaClient) -> None:
    rows = list(_planned_rows(job, client))
    JobEntry.objects.filter(job=job).delete()  # nothing was written from a partial plan
    JobEntry.objects.bulk_create(rows, batch_size=500)
    job.total = len(rows)
    job.total_minutes = sum(row.duration_minutes for row in rows)
    job.planned = True
    job.save(update_fields=["total", "total_minutes", "planned"])


def _planned_rows(job: Job, client: AsanaClient) -> Iterator[JobEntry]:
    if job.kind in (Job.Kind.UNDO, Job.Kind.RETRY) and job.parent_id:
        yield from _rows_from_parent(job)
        return
    wanted = set(job.entry_gids)
    seen: set[str] = set()
    for entry in _source_entries(job, client):
        if wanted and entry.gid not in wanted:
            continue
        seen.add(entry.gid)
        yield _row(job, entry)
    for gid in sorted(wanted - seen):
        # Chosen on the page, gone from the source since: reported, not silently dropped.
        yield JobEntry(
            job=job,
            entry_gid=gid,
            to_category_gid=job.target_category_gid,
            state=JobEntry.State.FAILED,
            message=f"No longer in {job.source_label or 'the source'} for the chosen dates.",
        )


def _source_entries(job: Job, client: AsanaClient) -> Iterable[TimeEntry]:
    try:
        if job.uncategorised:
            return [
                entry
                for entry in client.iter_workspace_entries(
                    workspace_gid=job.workspace_gid,
                    start_date=job.range_start,
                    end_date=job.range_end,
                )
                if not entry.categories and _matches(job, entry)
            ]
        return [
            entry
            for entry in client.iter_category_entries(
                job.source_category_gid, start_date=job.range_start, end_date=job.range_end
            )
            if _matches(job, entry)
        ]
    except AsanaError as exc:
        raise JobStopped(f"Could not list the entries to move: {exc.message}") from exc


def _matches(job: Job, entry: TimeEntry) -> bool:
    person = entry.created_by.gid if entry.created_by else ""
    project = entry.attributable_to.gid if entry.attributable_to else ""
    return (not job.person_gid or person == job.person_gid) and (
        not job.project_gid or project == job.project_gid
    )


def _row(job: Job, entry: TimeEntry) -> JobEntry:
    current = entry.categories[0].gid if entry.categories else ""
    already = current == job.target_category_gid
    return JobEntry(
        job=job,
        entry_gid=entry.gid,
        from_category_gid=current,
        to_category_gid=job.target_category_gid,
        entered_on=entry.entered_on,
        duration_minutes=entry.duration_minutes,
        person_name=entry.created_by.name if entry.created_by else "",
        project_name=entry.attributable_to.name if entry.attributable_to else "",
        state=JobEntry.State.SKIPPED if already else JobEntry.State.PENDING,
        message="Already in the target category." if already else "",
    )


def _rows_from_parent(job: Job) -> Iterator[JobEntry]:
    parent_rows = JobEntry.objects.filter(job_id=job.parent_id)
    if job.kind == Job.Kind.UNDO:
        # Exactly the entries the parent moved, back where each one was.
        for row in parent_rows.filter(state=JobEntry.State.DONE):
            yield _copy(job, row, from_gid=row.to_category_gid, to_gid=row.from_category_gid)
        return
    retried = [JobEntry.State.FAILED, JobEntry.State.PENDING, JobEntry.State.WRITING]
    for row in parent_rows.filter(state__in=retried).exclude(entered_on=None):
        yield _copy(job, row, from_gid=row.from_category_gid, to_gid=row.to_category_gid)


def _copy(job: Job, row: JobEntry, *, from_gid: str, to_gid: str) -> JobEntry:
    return JobEntry(
        job=job,
        entry_gid=row.entry_gid,
        from_category_gid=from_gid,
        to_category_gid=to_gid,
        entered_on=row.entered_on,
        duration_minutes=row.duration_minutes,
        person_name=row.person_name,
        project_name=row.project_name,
    )


# --- resuming: what a crash left in flight ----------------------------------------------------


def _settle_in_flight(job: Job, client: AsanaClient) -> None:
    """A row still `writing` may or may not have reached Asana: ask Asana. Already moved:
    done (no second write); not moved: back to pending, to be sent again."""
    for row in JobEntry.objects.filter(job=job, state=JobEntry.State.WRITING):
        try:
            entry = client.get_time_entry(row.entry_gid)
        except AsanaAuthError as exc:
            raise JobStopped(exc.message) from exc
        except TRANSIENT:
            _set(row, JobEntry.State.PENDING)
            continue
        except AsanaError as exc:
            _set(row, JobEntry.State.FAILED, exc.message)
            continue
        if _categories_of(entry) == _wanted(row):
            _set(row, JobEntry.State.DONE)
        else:
            _set(row, JobEntry.State.PENDING)


# --- writing ---------------------------------------------------------------------------------


def _write_all(job: Job, client: AsanaClient) -> str:
    """Send every pending row's PUT, at most N at once. Returns how it ended: "done",
    "cancelled" or "stopped" (the worker is shutting down; the job stays to be resumed)."""
    # One at a time when the (in-process) sandbox answers inline: nothing to overlap.
    limit = settings.JOBS_MAX_CONCURRENT_WRITES if asana_executor() is not None else 1
    queue: deque[JobEntry] = deque(
        JobEntry.objects.filter(job=job, state=JobEntry.State.PENDING).order_by("id")
    )
    in_flight: dict[Future[Outcome], JobEntry] = {}
    ending = "done"
    beat = paused_until = 0.0
    with _write_pool(limit, job) as pool:
        try:
            while True:
                if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                    beat = time.monotonic()
                    if _heartbeat(job) and ending == "done":
                        ending = "cancelled"
                if _stop_requested.is_set():
                    ending = "stopped"
                sending = ending == "done" and time.monotonic() >= paused_until
                free = limit - len(in_flight) if sending else 0
                batch = [queue.popleft() for _ in range(min(free, len(queue)))]
                # One statement marks the batch writing: every row is journaled before its
                # PUT leaves, with fewer writes to the database than one per row.
                _mark_writing(batch)
                for row in batch:
                    crashpoints.passing("before-write")
                    context = contextvars.copy_context()  # the budget's "background work"
                    in_flight[pool.submit(context.run, _send, client, row)] = row
                if not in_flight and (ending != "done" or not queue):
                    return ending
                if not in_flight:
                    time.sleep(min(HEARTBEAT_SECONDS, max(paused_until - time.monotonic(), 0)))
                    continue
                finished, _ = wait(
                    in_flight, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED
                )
                moved: list[JobEntry] = []
                for future in finished:
                    row = in_flight.pop(future)
                    outcome = future.result()
                    if outcome.state == "wait":
                        paused_until = max(paused_until, time.monotonic() + outcome.retry_after)
                    if outcome.state == JobEntry.State.DONE:
                        moved.append(row)
                    elif _record(row, outcome):
                        queue.appendleft(row)
                _mark_done(moved)
        except AsanaAuthError as exc:
            raise JobStopped(exc.message) from exc


def _write_pool(limit: int, job: Job) -> Executor:
    """Threads for a real Asana (each PUT waits on the network). The in-process demo
    sandbox answers from this thread's database connection, so it is asked inline."""
    if asana_executor() is None:
        return InlineExecutor()
    return ThreadPoolExecutor(max_workers=limit, thread_name_prefix=f"job-{job.pk}")


def _send(client: AsanaClient, row: JobEntry) -> Outcome:
    wanted = _wanted(row)
    try:
        entry = client.update_time_entry(row.entry_gid, categories=list(wanted))
    except AsanaAuthError:
        raise
    except BudgetExhausted as exc:
        # Never sent: the minute's budget is spent. Not a failure; the job waits for a slot.
        wait_for = max(exc.retry_after, POLL_SECONDS)
        return Outcome("wait", exc.message, retry_after=wait_for, sent=False)
    except AsanaRateLimited as exc:
        # Asana did nothing and asked for a pause longer than the client waits itself.
        return Outcome("wait", exc.message, retry_after=max(exc.retry_after, POLL_SECONDS))
    except TRANSIENT as exc:
        return Outcome("again", exc.message)
    except AsanaError as exc:
        # Refused (an approved timesheet, a vanished entry or category): this entry fails,
        # with Asana's words; the rest of the job goes on. Never resent.
        return Outcome(JobEntry.State.FAILED, exc.message)
    crashpoints.passing("after-write")
    if _categories_of(entry) != wanted:
        return Outcome(JobEntry.State.FAILED, "Asana kept a different category for this entry.")
    return Outcome(JobEntry.State.DONE)


def _record(row: JobEntry, outcome: Outcome) -> bool:
    """Journal the answer; True when the row should be sent again later."""
    if outcome.state == "wait":
        row.attempts -= 0 if outcome.sent else 1
        JobEntry.objects.filter(pk=row.pk).update(
            state=JobEntry.State.PENDING, attempts=row.attempts, updated_at=timezone.now()
        )
        row.state = JobEntry.State.PENDING
        return True
    if outcome.state != "again":
        _set(row, outcome.state, outcome.message)
        return False
    if row.attempts >= MAX_ATTEMPTS:
        _set(row, JobEntry.State.FAILED, f"Asana stayed unavailable: {outcome.message}")
        return False
    _set(row, JobEntry.State.PENDING, outcome.message)
    return True


def _mark_writing(rows: list[JobEntry]) -> None:
    if not rows:
        return
    for row in rows:
        row.attempts += 1
        row.state = JobEntry.State.WRITING
    JobEntry.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=JobEntry.State.WRITING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )


def _mark_done(rows: list[JobEntry]) -> None:
    if not rows:
        return
    for row in rows:
        row.state, row.message = JobEntry.State.DONE, ""
    JobEntry.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=JobEntry.State.DONE, message="", updated_at=timezone.now()
    )


def _set(row: JobEntry, state: str, message: str = "") -> None:
    row.state, row.message = state, message
    JobEntry.objects.filter(pk=row.pk).update(
        state=state, message=message, updated_at=timezone.now()
    )


def _wanted(row: JobEntry) -> tuple[str, ...]:
    return (row.to_category_gid,) if row.to_category_gid else ()


def _categories_of(entry: TimeEntry) -> tuple[str, ...]:
    return tuple(category.gid for category in entry.categories)


def _heartbeat(job: Job) -> bool:
    """Say the job is alive, publish its counts; True when someone asked to cancel."""
    counts = job_counts(job)
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now(),
        done_count=counts["done"],
        failed_count=counts["failed"],
        skipped_count=counts["skipped"],
    )
    return Job.objects.filter(pk=job.pk, state=Job.State.CANCELLING).exists()


def job_counts(job: Job) -> dict[str, int]:
    by_state = dict(
        JobEntry.objects.filter(job=job).values_list("state").annotate(n=Count("id")).order_by()
    )
    return {state: by_state.get(state, 0) for state in JobEntry.State.values}


# --- the end ---------------------------------------------------------------------------------


def _finish(job: Job, *, cancelled: bool) -> None:
    if cancelled:
        JobEntry.objects.filter(job=job, state=JobEntry.State.PENDING).update(
            state=JobEntry.State.SKIPPED, message="Cancelled before it was moved."
        )
    job.refresh_from_db()
    counts = job_counts(job)
    messages = [] if cancelled else [_after_merge(job, failed=counts["failed"])]
    _close(
        job,
        state=Job.State.CANCELLED if cancelled else Job.State.DONE,
        message=" ".join(m for m in messages if m),
        succeeded=not cancelled and counts["failed"] == 0,
    )


def _after_merge(job: Job, *, failed: int) -> str:
    """Archive or delete the merged category, only once all of its time has moved."""
    if job.kind not in (Job.Kind.MERGE, Job.Kind.DELETE) or not job.after_merge:
        return ""
    name = job.source_category_name
    if failed:
        return f"{name} was kept: {failed} of its entries could not be moved."
    try:
        if job.after_merge == Job.AfterMerge.DELETE:
            category = Category(gid=job.source_category_gid, name=name, color="none")
            category_delete(
                actor=job.started_by, workspace_gid=job.workspace_gid, category=category
            )
            return f"{name} was deleted."
        category_archive(
            actor=job.started_by, workspace_gid=job.workspace_gid, gid=job.source_category_gid
        )
        return f"{name} was archived."
    except AsanaError as exc:
        verb = "deleting" if job.after_merge == Job.AfterMerge.DELETE else "archiving"
        return f"The time moved, but {verb} {name} failed: {exc.message}"


def _stop(job: Job, message: str) -> None:
    logger.warning("job %s stopped: %s", job.pk, message)
    _close(job, state=Job.State.FAILED, message=message, succeeded=False)


def _close(job: Job, *, state: str, message: str, succeeded: bool) -> None:
    counts = job_counts(job)
    Job.objects.filter(pk=job.pk).update(
        state=state,
        message=message,
        done_count=counts["done"],
        failed_count=counts["failed"],
        skipped_count=counts["skipped"],
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if job.audit_entry_id:
        AuditEntry.objects.filter(pk=job.audit_entry_id).update(
            outcome=AuditEntry.Outcome.SUCCEEDED if succeeded else AuditEntry.Outcome.FAILED,
            after={
                "moved": counts["done"],
                "failed": counts["failed"],
                "not_moved": counts["skipped"] + counts["pending"] + counts["writing"],
                "state": state,
            },
            error_message=message if not succeeded else "",
        )
    logger.info("job %s %s: %s", job.pk, state, counts)


def minutes_moved(job: Job) -> int:
    found = JobEntry.objects.filter(job=job, state=JobEntry.State.DONE).aggregate(
        minutes=Sum("duration_minutes", default=0)
    )
    return int(found["minutes"])
