"""The sandbox's own copy of an Asana workspace: what the fake Asana serves and edits.

Every object has an Asana-style gid: 16 digits, a 4-digit prefix per resource type
followed by the primary key, so gids are stable for seeded rows and never collide
across types (as Asana's do not).
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from django.db import connection, models

from categories.asana.colors import CATEGORY_COLORS, CATEGORY_NAME_MAX_LENGTH

GID_DIGITS = 16
_PREFIX_DIGITS = 4
TASK_GID_PREFIX = 1211
BILLABLE_STATUSES = ("billable", "nonBillable", "notApplicable")
APPROVAL_STATUSES = ("DRAFT", "SUBMITTED", "APPROVED", "REJECTED")
LOCKED_APPROVAL_STATUSES = frozenset({"SUBMITTED", "APPROVED"})
_GID = re.compile(f"[0-9]{{{GID_DIGITS}}}")


def name_key(name: str) -> str:
    """What makes two category names "the same": trimmed and case-folded (Unicode-aware)."""
    return name.strip().casefold()


class GidModel(models.Model):
    GID_PREFIX: ClassVar[int]

    class Meta:
        abstract = True

    @property
    def gid(self) -> str:
        return self.gid_for(self.pk)

    @classmethod
    def gid_for(cls, pk: int) -> str:
        return f"{cls.GID_PREFIX}{pk:0{GID_DIGITS - _PREFIX_DIGITS}d}"

    @classmethod
    def pk_from_gid(cls, gid: str) -> int | None:
        """The primary key a gid stands for, or None when it is not one of this type's gids."""
        if not _GID.fullmatch(gid) or not gid.startswith(str(cls.GID_PREFIX)):
            return None
        return int(gid[_PREFIX_DIGITS:])

    @classmethod
    def find(cls, gid: str) -> Self | None:
        pk = cls.pk_from_gid(gid)
        return None if pk is None else cls._first_where("WHERE id = %s", [pk])

    @classmethod
    def _first_where(cls, condition: str, params: list[object]) -> Self | None:
        """The first row (by id) meeting an SQL `condition`, by a plain query: every
        sandbox request looks one or two rows up, and compiling the ORM's query took
        longer than running it."""
        table = connection.ops.quote_name(cls._meta.db_table)
        sql = f"SELECT * FROM {table} {condition} ORDER BY id LIMIT 1"  # noqa: S608
        return next(iter(cls._default_manager.raw(sql, params)), None)


class SandboxWorkspace(GidModel):
    GID_PREFIX = 1201

    name = models.CharField(max_length=200)
    email_domain = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class SandboxUser(GidModel):
    GID_PREFIX = 1202

    name = models.CharField(max_length=200)
    email = models.EmailField()
    workspaces = models.ManyToManyField(SandboxWorkspace, related_name="members")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def first(cls) -> SandboxUser | None:
        """The token's user: every token is the first user."""
        return cls._first_where("", [])


class SandboxProject(GidModel):
    GID_PREFIX = 1203

    workspace = models.ForeignKey(
        SandboxWorkspace, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class SandboxCategory(GidModel):
    GID_PREFIX = 1209

    workspace = models.ForeignKey(
        SandboxWorkspace, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    # Set from `name` by whoever writes the row; the unique constraint on it is what keeps
    # two concurrent creates of "Design" and "design " from both succeeding.
    name_key = models.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    color = models.CharField(
        max_length=20, choices=[(c, c) for c in CATEGORY_COLORS], default="none"
    )
    is_archived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name_key"], name="sandbox_category_unique_name"
            )
        ]
        indexes = [models.Index(fields=["workspace", "is_archived", "id"])]

    def __str__(self) -> str:
        return self.name


class SandboxEntry(GidModel):
    GID_PREFIX = 1210

    workspace = models.ForeignKey(
        SandboxWorkspace, on_delete=models.CASCADE, related_name="entries"
    )
    entered_on = models.DateField()
    duration_minutes = models.PositiveIntegerField()
    created_by = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="entries")
    attributable_to = models.ForeignKey(
        SandboxProject, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    # Deleting a category deletes these links only: the entry stays, without that category.
    categories = models.ManyToManyField(SandboxCategory, related_name="entries", blank=True)
    # The full record's extra fields (GET/PUT /time_tracking_entries/{gid}).
    description = models.TextField(blank=True, default="")
    billable_status = models.CharField(
        max_length=16, choices=[(s, s) for s in BILLABLE_STATUSES], default="notApplicable"
    )
    # An entry on a submitted or approved timesheet refuses edits to its categories.
    approval_status = models.CharField(
        max_length=16, choices=[(s, s) for s in APPROVAL_STATUSES], default="DRAFT"
    )
    task_name = models.CharField(max_length=200, blank=True, default="")  # "": no task
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "entered_on", "id"])]

    def __str__(self) -> str:
        return f"{self.entered_on} {self.duration_minutes} min"

    @property
    def task_gid(self) -> str:
        """Tasks are not rows of their own here: an entry's task shares the entry's number."""
        return f"{TASK_GID_PREFIX}{self.pk:0{GID_DIGITS - _PREFIX_DIGITS}d}"

    @property
    def is_locked(self) -> bool:
        return self.approval_status in LOCKED_APPROVAL_STATUSES


class SandboxFault(models.Model):
    """A rule that makes matching sandbox requests fail (or slow down) on purpose."""

    class Kind(models.TextChoices):
        STATUS = "status"
        TIMEOUT = "timeout"
        CONNECTION_REFUSED = "connection_refused"
        MALFORMED = "malformed"
        LATENCY = "latency"

    method = models.CharField(max_length=10, blank=True)  # "" matches any method
    path_pattern = models.CharField(max_length=500, blank=True)  # regex; "" matches any path
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    retry_after = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    remaining = models.PositiveIntegerField(null=True, blank=True)  # None: fires forever
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        target = f"{self.method or '*'} {self.path_pattern or '*'}"
        return f"{self.kind} on {target}"
