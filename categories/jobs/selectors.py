"""Reads for the jobs screens: what a move would touch (asked of Asana), and a job's
progress and journal (from the dashboard's database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from categories.asana import Category, TimeEntry
from categories.jobs.engine import job_counts, worker_alive
from categories.jobs.models import Job, JobEntry
from categories.selectors import category_list
from categories.web.client import asana_client

ENTRIES_SHOWN = 200


@dataclass(frozen=True)
class MovePreview:
    """Exactly what a move would do: how many entries and minutes, from where."""

    entries: int
    minutes: int


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    skipped: int
    remaining: int
    percent: int
    seconds_left: int | None  # None until there is a rate to go by
    # The worker that held it is gone (killed, machine lost): nothing moves until the next
    # worker resumes it, so there is no time left to estimate.
    worker_lost: bool = False


def move_preview(
    *,
    workspace_gid: str,
    source_gid: str,
    start: dt.date | None,
    end: dt.date | None,
    entry_gids: Collection[str] = (),
    person_gid: str = "",
    project_gid: str = "",
) -> MovePreview:
    """The entries a move would take: the source's (a category, or with `source_gid` ""
    the time with no category) in the range, narrowed to `entry_gids` when given."""
    client = asana_client()
    if source_gid:
        found = client.iter_category_entries(source_gid, start_date=start, end_date=end)
    else:
        if start is None or end is None:
            raise ValueError("Time with no category is moved for a date range.")
        found = (
            entry
            for entry in client.iter_workspace_entries(
                workspace_gid=workspace_gid, start_date=start, end_date=end
            )
            if not entry.categories
        )
    wanted = set(entry_gids)
    chosen = [
        entry
        for entry in found
        if (not wanted or entry.gid in wanted) and _narrowed(entry, person_gid, project_gid)
    ]
    return MovePreview(entries=len(chosen), minutes=sum(entry.duration_minutes for entry in chosen))


def _narrowed(entry: TimeEntry, person_gid: str, project_gid: str) -> bool:
    person = entry.created_by.gid if entry.created_by else ""
    project = entry.attributable_to.gid if entry.attributable_to else ""
    return (not person_gid or person == person_gid) and (not project_gid or project == project_gid)


def move_targets(*, workspace_gid: str) -> list[Category]:
    """The categories time can be moved to: the workspace's active ones."""
    return category_list(workspace_gid=workspace_gid).categories


def job_list(*, limit: int = 50) -> QuerySet[Job]:
    return Job.objects.select_related("started_by")[:limit]


def job_get(*, pk: int) -> Job | None:
    return Job.objects.filter(pk=pk).first()


def job_progress(*, job: Job) -> Progress:
    counts = job_counts(job)
    total = job.total or sum(counts.values())
    settled = counts["done"] + counts["failed"] + counts["skipped"]
    remaining = max(total - settled, 0)
    percent = 100 if job.is_finished and total == 0 else (settled * 100 // total if total else 0)
    lost = (
        bool(job.worker) and not job.is_finished and not worker_alive(job.worker, job.heartbeat_at)
    )
    return Progress(
        total=total,
        done=counts["done"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        remaining=remaining,
        percent=percent,
        seconds_left=None
        if lost
        else _seconds_left(job, counts["done"] + counts["failed"], remaining),
        worker_lost=lost,
    )


def _seconds_left(job: Job, written: int, remaining: int) -> int | None:
    if job.is_finished or not job.started_at or written == 0:
        return None
    elapsed = (timezone.now() - job.started_at).total_seconds()
    return round(remaining * elapsed / written) if elapsed > 0 else None


def job_entries(*, job: Job, limit: int = ENTRIES_SHOWN) -> list[JobEntry]:
    """The journal as the job page lists it: failures first (with Asana's words)."""
    failed = list(JobEntry.objects.filter(job=job, state=JobEntry.State.FAILED)[:limit])
    others = JobEntry.objects.filter(job=job).exclude(state=JobEntry.State.FAILED)
    return failed + list(others[: max(limit - len(failed), 0)])


def category_names(*, workspace_gid: str) -> dict[str, str]:
    """Names for the gids a job page shows (active and archived categories)."""
    listing = category_list(workspace_gid=workspace_gid, state="all")
    return {category.gid: category.name for category in listing.categories}
