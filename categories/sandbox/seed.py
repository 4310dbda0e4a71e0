"""Deterministic demo data: two workspaces, their people, projects, categories and two
years of time entries. The same `today` always gives exactly the same rows and gids."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction

from categories.asana.colors import CATEGORY_COLORS

from .models import (
    SandboxCategory,
    SandboxEntry,
    SandboxFault,
    SandboxProject,
    SandboxUser,
    SandboxWorkspace,
    name_key,
)

RANDOM_SEED = 20250611
HISTORY_DAYS = 730
DURATION_STEPS = (1, 2, 2, 3, 4, 4, 4, 6, 6, 8, 8, 12, 16, 24, 32)  # times 15 minutes

WORKSPACES = (
    ("Northwind Studio", "northwind.example"),
    ("Acme Consulting Group", "acme-consulting.example"),
)
# name, email, indexes of the workspaces they belong to. The first is the token's user.
USERS = (
    ("Alex Morgan", "alex.morgan@northwind.example", (0, 1)),
    ("Priya Raman", "priya.raman@northwind.example", (0,)),
    ("Siobhán O'Neill", "siobhan.oneill@northwind.example", (0,)),
    ("Mateo García", "mateo.garcia@northwind.example", (0,)),
    ("Chen Wei", "chen.wei@northwind.example", (0, 1)),
    ("Jonas Müller", "jonas.mueller@northwind.example", (0,)),
    ("Amara Okafor", "amara.okafor@acme-consulting.example", (1,)),
    ("Zoë Lindqvist", "zoe.lindqvist@acme-consulting.example", (1,)),
)
PROJECTS = (
    (
        "Website redesign",
        "Mobile app 2.0",
        "Brand refresh",
        "Customer portal",
        "Internal tools",
        "Data platform",
    ),
    (
        "Globex transformation",
        "Initech audit",
        "Umbrella cost review",
        "Hooli market entry",
        "Stark supply chain",
        "Wayne org design",
    ),
)


@dataclass(frozen=True)
class SeedCategory:
    name: str
    color: str
    weight: int  # relative share of the workspace's time entries
    archived: bool = False


# Northwind: Engineering takes close to half of all time, as it does in a software studio.
NORTHWIND_CATEGORIES = (
    SeedCategory("Engineering", "blue", 44),
    SeedCategory("Design", "purple", 10),
    SeedCategory("Client workshops", "orange", 6),
    SeedCategory("Internal meetings", "cool-gray", 8),
    SeedCategory("Support", "red", 6),
    SeedCategory("Sales", "green", 4),
    SeedCategory("Recruiting", "pink", 2),
    SeedCategory("Research", "aqua", 4),
    SeedCategory("Training", "yellow", 2),
    SeedCategory("Travel", "yellow-orange", 2),
    SeedCategory('1:1s & "coffee chats" ☕', "hot-pink", 2),
    SeedCategory("Legacy migration", "indigo", 3, archived=True),
    SeedCategory("Office move", "none", 1, archived=True),
    SeedCategory("Offsite <2023> 🎉", "magenta", 1, archived=True),
    SeedCategory("Pilot: Händler-Portal", "blue-green", 2, archived=True),
)
ACME_CLIENTS = (
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Stark Logistics",
    "Wayne Foundation",
    "Soylent Foods",
    "Tyrell Labs",
    "Cyberdyne",
    "Vandelay Imports",
    "Wonka Confectionery",
    "Oscorp",
)
ACME_ACTIVITIES = (
    "Discovery",
    "Workshops",
    "Delivery",
    "Reporting",
    "Travel",
    "Account management",
    "Proposals",
    "Training",
    "Support",
    "Quality review",
    "Analytics",
)
ACME_ENTRY_COUNT = 420
# Timesheets: in Acme, Amara's time older than 60 days is approved and Zoë's last two
# weeks are submitted (both refuse a change of category); everything else is a draft.
APPROVED_USER, APPROVED_AFTER_DAYS = "Amara Okafor", 60
SUBMITTED_USER, SUBMITTED_WITHIN_DAYS = "Zoë Lindqvist", 14
DESCRIPTIONS = ("", "Planning", "Review", "Follow-up", "Pairing", "Write-up", "Call")


# Entries with no category: rolls below the low or above the high mark (about 10%).
UNCATEGORISED_LOW = 0.04
UNCATEGORISED_HIGH = 0.94
TWO_DRAWS_ABOVE = 0.90


def acme_categories() -> tuple[SeedCategory, ...]:
    """12 clients x 11 activities = 132 categories: enough for real paging."""
    names = [
        f"{client} \N{EN DASH} {activity}"
        for client in ACME_CLIENTS
        for activity in ACME_ACTIVITIES
    ]
    return tuple(
        SeedCategory(
            name,
            CATEGORY_COLORS[i % len(CATEGORY_COLORS)],
            weight=1,
            archived=i % 22 == 21,
        )
        for i, name in enumerate(names)
    )


def seed_demo_data(*, today: dt.date | None = None) -> bool:
    """Fill an empty sandbox with the demo data; False (and no change) if it has data."""
    if SandboxWorkspace.objects.exists():
        return False
    try:
        with transaction.atomic():
            _Seeder(today or dt.date.today()).run()
    except IntegrityError:
        return False  # another process seeded at the same moment: its data stands
    _reset_sequences()
    return True


def wipe_sandbox() -> None:
    """Delete every sandbox row, faults included."""
    with transaction.atomic():
        for model in (SandboxEntry, SandboxCategory, SandboxProject, SandboxUser, SandboxFault):
            model.objects.all().delete()
        SandboxWorkspace.objects.all().delete()


def reset_demo_data(*, today: dt.date | None = None) -> None:
    """Back to the pristine demo data (edits and faults are lost)."""
    wipe_sandbox()
    seed_demo_data(today=today)


def _reset_sequences() -> None:
    """Seeded rows have explicit ids; databases with sequences must continue after them."""
    models = [SandboxWorkspace, SandboxUser, SandboxProject, SandboxCategory, SandboxEntry]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _Seeder:
    """Builds every row in memory with explicit ids, then writes each table in one go."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(RANDOM_SEED)
        self.entries: list[SandboxEntry] = []
        self.links: list[tuple[int, int]] = []  # (entry id, category id)

    def run(self) -> None:
        workspaces = self._workspaces()
        users = self._users(workspaces)
        projects = self._projects(workspaces)
        northwind = self._categories(workspaces[0], NORTHWIND_CATEGORIES, first_id=1)
        acme = self._categories(workspaces[1], acme_categories(), first_id=len(northwind) + 1)
        self._northwind_entries(workspaces[0], _members(users, 0), projects[0], northwind)
        self._acme_entries(workspaces[1], _members(users, 1), projects[1], acme)
        SandboxEntry.objects.bulk_create(self.entries, batch_size=2000)
        link = SandboxEntry.categories.through
        link.objects.bulk_create(
            [link(sandboxentry_id=e, sandboxcategory_id=c) for e, c in self.links],
            batch_size=2000,
        )

    def _workspaces(self) -> list[SandboxWorkspace]:
        rows = [
            SandboxWorkspace(id=i, name=name, email_domain=domain)
            for i, (name, domain) in enumerate(WORKSPACES, start=1)
        ]
        return SandboxWorkspace.objects.bulk_create(rows)

    def _users(self, workspaces: list[SandboxWorkspace]) -> list[tuple[SandboxUser, tuple]]:
        rows = [
            SandboxUser(id=i, name=name, email=email)
            for i, (name, email, _) in enumerate(USERS, start=1)
        ]
        SandboxUser.objects.bulk_create(rows)
        link = SandboxUser.workspaces.through
        link.objects.bulk_create(
            [
                link(sandboxuser_id=user.id, sandboxworkspace_id=workspaces[index].id)
                for user, (_, _, indexes) in zip(rows, USERS, strict=True)
                for index in indexes
            ]
        )
        return [(user, spec[2]) for user, spec in zip(rows, USERS, strict=True)]

    def _projects(self, workspaces: list[SandboxWorkspace]) -> list[list[SandboxProject]]:
        """The projects of each workspace, in the order of WORKSPACES."""
        ids = iter(range(1, 1000))
        per_workspace = [
            [SandboxProject(id=next(ids), workspace=workspace, name=name) for name in names]
            for workspace, names in zip(workspaces, PROJECTS, strict=True)
        ]
        SandboxProject.objects.bulk_create([p for projects in per_workspace for p in projects])
        return per_workspace

    def _categories(
        self, workspace: SandboxWorkspace, specs: Sequence[SeedCategory], *, first_id: int
    ) -> list[tuple[SandboxCategory, SeedCategory]]:
        rows = [
            SandboxCategory(
                id=first_id + i,
                workspace=workspace,
                name=spec.name,
                name_key=name_key(spec.name),
                color=spec.color,
                is_archived=spec.archived,
            )
            for i, spec in enumerate(specs)
        ]
        SandboxCategory.objects.bulk_create(rows)
        return list(zip(rows, specs, strict=True))

    def _northwind_entries(
        self,
        workspace: SandboxWorkspace,
        users: list[SandboxUser],
        projects: list[SandboxProject],
        categories: list[tuple[SandboxCategory, SeedCategory]],
    ) -> None:
        """Each person logs one to three entries on most weekdays, rarely on weekends."""
        for day in self._history():
            for user in users:
                for _ in range(self._entries_that_day(day)):
                    picked = self._pick_categories(categories, day)
                    self._add_entry(workspace, day, user, self.rng.choice(projects), picked)

    def _acme_entries(
        self,
        workspace: SandboxWorkspace,
        users: list[SandboxUser],
        projects: list[SandboxProject],
        categories: list[tuple[SandboxCategory, SeedCategory]],
    ) -> None:
        days = [day for day in self._history() if day.weekday() < 5]
        picked_days = sorted(self.rng.choice(days) for _ in range(ACME_ENTRY_COUNT))
        for day in picked_days:
            category = self.rng.choice(categories)[0]
            user, project = self.rng.choice(users), self.rng.choice(projects)
            self._add_entry(workspace, day, user, project, [category])

    def _history(self) -> Iterator[dt.date]:
        start = self.today - dt.timedelta(days=HISTORY_DAYS - 1)
        for offset in range(HISTORY_DAYS):
            yield start + dt.timedelta(days=offset)

    def _entries_that_day(self, day: dt.date) -> int:
        if day.weekday() >= 5:
            return 1 if self.rng.random() < 0.04 else 0
        return self.rng.choice((0, 1, 2, 2, 2, 3, 3))

    def _pick_categories(
        self, categories: list[tuple[SandboxCategory, SeedCategory]], day: dt.date
    ) -> list[SandboxCategory]:
        """One category, or none (about one entry in ten): Asana allows at most one."""
        # Archived categories were in use until a year ago, then retired.
        recent = (self.today - day).days < 365
        usable = [(c, spec) for c, spec in categories if not (recent and spec.archived)]
        roll = self.rng.random()
        if roll < UNCATEGORISED_LOW:
            return []
        # Two draws where the data once had two categories, so the random stream (and with
        # it every other entry of the demo) stays as it was; only the first is kept.
        draws = 2 if roll > TWO_DRAWS_ABOVE else 1
        chosen: list[SandboxCategory] = []
        while len(chosen) < draws:
            category = self.rng.choices(usable, weights=[s.weight for _, s in usable])[0][0]
            if category not in chosen:
                chosen.append(category)
        return [] if roll > UNCATEGORISED_HIGH else chosen[:1]

    def _add_entry(
        self,
        workspace: SandboxWorkspace,
        day: dt.date,
        user: SandboxUser,
        project: SandboxProject,
        categories: list[SandboxCategory],
    ) -> None:
        entry_id = len(self.entries) + 1
        # Plain ids, not instances: assigning related objects costs more than the insert.
        # The full record's fields come from the entry's number, not the random stream, so
        # every other value of the demo stays as it was.
        self.entries.append(
            SandboxEntry(
                id=entry_id,
                workspace_id=workspace.pk,
                entered_on=day,
                duration_minutes=15 * self.rng.choice(DURATION_STEPS),
                created_by_id=user.pk,
                attributable_to_id=project.pk,
                description=DESCRIPTIONS[entry_id % len(DESCRIPTIONS)],
                billable_status="billable" if project.pk % 2 else "nonBillable",
                approval_status=self._approval(user, day),
                task_name="" if entry_id % 3 == 0 else f"{project.name}: task {entry_id % 40 + 1}",
                created_at=dt.datetime.combine(day, dt.time(17, entry_id % 60), tzinfo=dt.UTC),
            )
        )
        self.links.extend((entry_id, category.id) for category in categories)

    def _approval(self, user: SandboxUser, day: dt.date) -> str:
        age = (self.today - day).days
        if user.name == APPROVED_USER and age > APPROVED_AFTER_DAYS:
            return "APPROVED"
        if user.name == SUBMITTED_USER and age < SUBMITTED_WITHIN_DAYS:
            return "SUBMITTED"
        return "DRAFT"


def _members(users: list[tuple[SandboxUser, tuple]], workspace_index: int) -> list[SandboxUser]:
    return [user for user, indexes in users if workspace_index in indexes]
