"""The dashboard's own data. Asana's data is never copied here; only the audit log is."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.conf import settings
from django.db import models


class FieldChange(NamedTuple):
    """One field of a category as it was before and after a change ("" when absent)."""

    field: str
    before: Any
    after: Any


class AuditEntry(models.Model):
    """Who did what to which category, and whether Asana accepted it."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        RENAME = "rename", "Renamed"
        RECOLOUR = "recolour", "Recoloured"
        UPDATE = "update", "Renamed and recoloured"
        ARCHIVE = "archive", "Archived"
        UNARCHIVE = "unarchive", "Unarchived"
        DELETE = "delete", "Deleted"
        # One entry per job that moves time (categories.jobs), with its counts.
        JOB_MOVE = "job_move", "Moved time"
        JOB_MERGE = "job_merge", "Merged into another category"
        JOB_DELETE = "job_delete", "Moved time, then deleted"
        JOB_TRIAGE = "job_triage", "Filed uncategorised time"
        JOB_UNDO = "job_undo", "Undid a move"
        JOB_RETRY = "job_retry", "Retried failed moves"

    class Outcome(models.TextChoices):
        # Written before Asana is asked, so even a crash mid-call leaves a trace.
        PENDING = "pending", "No answer recorded"
        SUCCEEDED = "succeeded", "Accepted by Asana"
        FAILED = "failed", "Refused or failed"
        # The request left but no answer came back (a timeout): Asana may have applied it.
        UNKNOWN = "unknown", "Unknown: Asana did not answer"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept apart from the foreign key so the log still names a user who was deleted.
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    workspace_gid = models.CharField(max_length=32, blank=True)
    category_gid = models.CharField(max_length=32, blank=True, db_index=True)
    category_name = models.CharField(max_length=255, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.actor_username} {self.get_action_display().lower()} {self.category_name}"

    def changes(self) -> list[FieldChange]:
        """The fields this entry touched, in a stable order, for "before → after" display."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        fields = [key for key in ("name", "color", "is_archived") if key in before or key in after]
        fields += sorted((set(before) | set(after)) - set(fields))
        return [FieldChange(key, before.get(key, ""), after.get(key, "")) for key in fields]
