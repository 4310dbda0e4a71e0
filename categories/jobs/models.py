"""A job that moves time entries between categories, and its per-entry journal.

The journal is the job's memory: every entry to move gets a row (from, to, state) before
the first write, a row is marked `writing` before its PUT and `done`/`failed` after it, so
a worker killed at any point leaves enough behind to finish the job exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        MOVE = "move", "Move entries"
        MERGE = "merge", "Merge a category"
        DELETE = "delete", "Move time, then delete the category"
        TRIAGE = "triage", "File uncategorised time"
        UNDO = "undo", "Undo a move"
        RETRY = "retry", "Retry failed moves"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        CANCELLING = "cancelling", "Cancelling"
        CANCELLED = "cancelled", "Cancelled"
        DONE = "done", "Finished"
        FAILED = "failed", "Stopped by an error"

    class AfterMerge(models.TextChoices):
        NOTHING = "", "Keep the source category"
        ARCHIVE = "archive", "Archive the source category"
        DELETE = "delete", "Delete the source category"

    UNFINISHED = (State.QUEUED, State.RUNNING, State.CANCELLING)

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_by_username = models.CharField(max_length=150)
    # Whose Asana identity the writes go out as (the token's user, by name).
    acting_as = models.CharField(max_length=200, blank=True)
    # The starter signed in with Asana: the writes go out with their own sign-in (renewed
    # as needed), never with the deployment's token; without it the job cannot go on.
    with_own_sign_in = models.BooleanField(default=False)
    workspace_gid = models.CharField(max_length=32)
    workspace_name = models.CharField(max_length=255, blank=True)
    # The source: a category ("" with `uncategorised`: time without one), optionally
    # narrowed to a date range, a person, a project and explicit entries.
    source_category_gid = models.CharField(max_length=32, blank=True)
    source_category_name = models.CharField(max_length=255, blank=True)
    uncategorised = models.BooleanField(default=False)
    entry_gids = models.JSONField(default=list, blank=True)  # [] = every matching entry
    range_start = models.DateField(null=True, blank=True)  # None: all dates (merges)
    range_end = models.DateField(null=True, blank=True)
    person_gid = models.CharField(max_length=32, blank=True)
    project_gid = models.CharField(max_length=32, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    target_category_gid = models.CharField(max_length=32, blank=True)  # "": No category
    target_category_name = models.CharField(max_length=255, blank=True)
    after_merge = models.CharField(
        max_length=10, choices=AfterMerge.choices, blank=True, default=AfterMerge.NOTHING
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    planned = models.BooleanField(default=False)  # the journal holds every entry
    total = models.PositiveIntegerField(default=0)
    total_minutes = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # what happened to the job as a whole
    worker = models.CharField(max_length=120, blank=True)  # host:pid holding the job
    audit_entry = models.ForeignKey(
        "categories.AuditEntry", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state not in self.UNFINISHED

    @property
    def source_label(self) -> str:
        return self.source_category_name or ("No category" if self.uncategorised else "")

    @property
    def target_label(self) -> str:
        return self.target_category_name if self.target_category_gid else "No category"


class JobEntry(models.Model):
    """One entry of a job: where it was, where it goes, and how far its write got."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        WRITING = "writing", "Being written"
        DONE = "done", "Moved"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not moved"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="entries")
    entry_gid = models.CharField(max_length=32)
    from_category_gid = models.CharField(max_length=32, blank=True)  # "": no category
    to_category_gid = models.CharField(max_length=32, blank=True)
    entered_on = models.DateField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)
    person_name = models.CharField(max_length=255, blank=True)
    project_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    message = models.TextField(blank=True)  # Asana's words when it refused
    attempts = models.PositiveSmallIntegerField(default=0)  # PUTs sent for this entry
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "entry_gid"], name="jobs_one_row_per_entry")
        ]
        # Resuming reads a job's rows by state, in order.
        indexes = [models.Index(fields=["job", "state", "id"])]

    def __str__(self) -> str:
        return f"{self.entry_gid} {self.from_category_gid or '-'} -> {self.to_category_gid or '-'}"
