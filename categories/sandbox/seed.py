"""Deterministic demo data: two workspaces, their people, projects, tasks, categories and
two years of time entries. The same `today` always gives exactly the same rows and gids.

Shaped like Asana's: an entry has at most one category, and about one in ten has none.
Northwind (15 categories, ~7,300 entries) is a studio; Acme (137 categories, ~4,200 entries:
~530 a quarter) is the scale case. Two Acme people have their timesheets approved: their
last weeks are SUBMITTED or APPROVED, which locks those entries against changes (Northwind's
time stays open, so the demo's moves and merges there go through whole).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateField, DateTimeField, Field, Model

from categories.asana.colors import CATEGORY_COLORS

from .models import (
    ApprovalStatus,
    BillableStatus,
    SandboxCategory,
    SandboxEntry,
    SandboxFault,
    SandboxProject,
    SandboxTask,
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
# Admins: the token's user of both workspaces, Priya of Northwind; Sam is Northwind's guest.
USERS = (
    ("Alex Morgan", "alex.morgan@northwind.example", (0, 1)),
    ("Priya Raman", "priya.raman@northwind.example", (0,)),
    ("Siobhán O'Neill", "siobhan.oneill@northwind.example", (0,)),
    ("Mateo García", "mateo.garcia@northwind.example", (0,)),
    ("Chen Wei", "chen.wei@northwind.example", (0, 1)),
    ("Jonas Müller", "jonas.mueller@northwind.example", (0,)),
    ("Amara Okafor", "amara.okafor@acme-consulting.example", (1,)),
    ("Zoë Lindqvist", "zoe.lindqvist@acme-consulting.example", (1,)),
    # Logs no time: a guest of Northwind (GUESTS), invited from outside it.
    ("Sam Rivera", "sam.rivera@freelance.example", ()),
)
ADMINS = ((0, 0), (0, 1), (1, 0))  # (user index, workspace index)
GUESTS = ((8, 0),)  # (user index, workspace index): members that are guests
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
# Internal projects are not billed; every client project is.
NON_BILLABLE_PROJECTS = frozenset({"Internal tools", "Data platform"})
# The tasks of every project of a workspace (time is logged on a task); an entry's task is
# picked from its id, so no random draw (and no other entry) changes.
TASKS = (
    ("Planning", "Build", "Review & QA", "Release", "Bugs <triage> & fixes"),
    ("Kick-off", "Interviews", "Analysis", "Final report", "Steering committee"),
)
DESCRIPTIONS = (
    "",
    "",
    "Pairing session",
    "Follow-up from stand-up",
    "Call with the client",
    "Notes <draft> & “feedback”",
    "",
    "Prep for next week",
    "Review comments",
)
# People whose timesheets go through approval (Acme): in weeks before today's, counting
# back (1 = last week): submitted, approved three times, then returned once. Older weeks
# were logged before approvals were switched on; today's week is a draft.
APPROVAL_USERS = frozenset({"Amara Okafor", "Zoë Lindqvist"})
APPROVALS_BY_WEEKS_AGO = {
    1: ApprovalStatus.SUBMITTED,
    2: ApprovalStatus.APPROVED,
    3: ApprovalStatus.APPROVED,
    4: ApprovalStatus.APPROVED,
    5: ApprovalStatus.REJECTED,
}


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
ACME_INTERNAL = ("Admin", "Hiring", "Training", "Knowledge sharing", "Bench time")
# About 2,100 entries a year (530 a quarter) over 137 categories: the scale case.
ACME_ENTRY_COUNT = 4200
ACME_UNCATEGORISED = 0.10


# Entries with no category: rolls below the low or above the high mark (about 10%).
UNCATEGORISED_LOW = 0.04
UNCATEGORISED_HIGH = 0.94
TWO_DRAWS_ABOVE = 0.90


def acme_categories() -> tuple[SeedCategory, ...]:
    """12 clients x 11 activities, plus 5 internal ones: 137 categories, 6 of them archived.

    Busier clients first: the first client's categories are twelve times as busy as the
    last one's, so the overview has a long tail."""
    client_categories = [
        SeedCategory(
            f"{client} \N{EN DASH} {activity}",
            CATEGORY_COLORS[i % len(CATEGORY_COLORS)],
            weight=2 * (len(ACME_CLIENTS) - i // len(ACME_ACTIVITIES)),
            archived=i % 22 == 21,
        )
        for i, (client, activity) in enumerate(
            (client, activity) for client in ACME_CLIENTS for activity in ACME_ACTIVITIES
        )
    ]
    internal = [
        SeedCategory(f"Internal \N{EN DASH} {name}", "cool-gray", weight=6)
        for name in ACME_INTERNAL
    ]
    return (*client_categories, *internal)


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
        for model in (
            SandboxEntry,
            SandboxCategory,
            SandboxTask,
            SandboxProject,
            SandboxUser,
            SandboxFault,
        ):
            model.objects.all().delete()
        SandboxWorkspace.objects.all().delete()


def reset_demo_data(*, today: dt.date | None = None) -> None:
    """Back to the pristine demo data (edits and faults are lost)."""
    wipe_sandbox()
    seed_demo_data(today=today)


def _reset_sequences() -> None:
    """Seeded rows have explicit ids; databases with sequences must continue after them."""
    models = [
        SandboxWorkspace,
        SandboxUser,
        SandboxProject,
        SandboxTask,
        SandboxCategory,
        SandboxEntry,
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _Seeder:
    """Builds every row in memory with explicit ids, then writes each table in one go."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(RANDOM_SEED)
        self.entries: list[tuple[object, ...]] = []  # rows of ENTRY_COLUMNS
        self.links: list[tuple[int, int]] = []  # (entry id, category id)
        self.tasks: dict[int, list[SandboxTask]] = {}  # project id -> its tasks
        self.user_names: dict[int, str] = {}
        self.project_names: dict[int, str] = {}

    def run(self) -> None:
        workspaces = self._workspaces()
        users = self._users(workspaces)
        projects = self._projects(workspaces)
        self._tasks(projects, [_members(users, i) for i in range(len(WORKSPACES))])
        northwind = self._categories(workspaces[0], NORTHWIND_CATEGORIES, first_id=1)
        acme = self._categories(workspaces[1], acme_categories(), first_id=len(northwind) + 1)
        self._northwind_entries(workspaces[0], _members(users, 0), projects[0], northwind)
        self._acme_entries(workspaces[1], _members(users, 1), projects[1], acme)
        # Ten thousand rows as plain tuples: building and compiling a model instance for
        # each took most of the seeding's time.
        _insert(SandboxEntry, ENTRY_COLUMNS, self.entries)
        _insert(SandboxEntry.categories.through, LINK_COLUMNS, self.links)

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
        self.user_names = {user.id: user.name for user in rows}
        admins = SandboxWorkspace.admins.through
        admins.objects.bulk_create(
            [
                admins(sandboxuser_id=rows[user].id, sandboxworkspace_id=workspaces[index].id)
                for user, index in ADMINS
            ]
        )
        guests = SandboxWorkspace.guests.through
        guests.objects.bulk_create(
            [
                guests(sandboxuser_id=rows[user].id, sandboxworkspace_id=workspaces[index].id)
                for user, index in GUESTS
            ]
        )
        link = SandboxUser.workspaces.through
        memberships = [
            (user.id, workspaces[index].id)
            for user, (_, _, indexes) in zip(rows, USERS, strict=True)
            for index in indexes
        ] + [(rows[user].id, workspaces[index].id) for user, index in GUESTS]
        link.objects.bulk_create(
            [
                link(sandboxuser_id=user, sandboxworkspace_id=workspace)
                for user, workspace in memberships
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
        self.project_names = {p.id: p.name for projects in per_workspace for p in projects}
        return per_workspace

    def _tasks(
        self, projects: list[list[SandboxProject]], members: list[list[SandboxUser]]
    ) -> None:
        """Each project's tasks, created by members of its workspace."""
        ids = iter(range(1, 10_000))
        for names, workspace_projects, users in zip(TASKS, projects, members, strict=True):
            for number, project in enumerate(workspace_projects):
                self.tasks[project.id] = [
                    SandboxTask(
                        id=next(ids),
                        project=project,
                        name=f"{project.name}: {name}",
                        created_by=users[(number + index) % len(users)],
                    )
                    for index, name in enumerate(names)
                ]
        SandboxTask.objects.bulk_create([t for tasks in self.tasks.values() for t in tasks])

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
        """Consultants' time on weekdays, spread over 137 categories, about a tenth of it
        with no category."""
        days = [day for day in self._history() if day.weekday() < 5]
        picked_days = sorted(self.rng.choice(days) for _ in range(ACME_ENTRY_COUNT))
        # Archived categories were in use until a year ago, then retired.
        everything = [category for category, _ in categories]
        weights = [spec.weight for _, spec in categories]
        active = [category for category, spec in categories if not spec.archived]
        active_weights = [spec.weight for _, spec in categories if not spec.archived]
        for day in picked_days:
            recent = (self.today - day).days < 365
            picked = self.rng.choices(
                active if recent else everything, weights=active_weights if recent else weights
            )[0]
            uncategorised = self.rng.random() < ACME_UNCATEGORISED
            user, project = self.rng.choice(users), self.rng.choice(projects)
            self._add_entry(workspace, day, user, project, [] if uncategorised else [picked])

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
        tasks = self.tasks[project.pk]
        # The full record's fields come from the entry's id, person and day, never from the
        # random stream, so they change no other field of the demo.
        self.entries.append(
            (
                entry_id,
                workspace.pk,
                day,
                15 * self.rng.choice(DURATION_STEPS),
                user.pk,
                project.pk,
                tasks[entry_id % len(tasks)].pk,
                DESCRIPTIONS[entry_id % len(DESCRIPTIONS)],
                self._billable(project.pk),
                self._approval(user.pk, day),
                _logged_at(day, entry_id),
            )
        )
        self.links.extend((entry_id, category.id) for category in categories)

    def _billable(self, project_id: int) -> str:
        if self.project_names[project_id] in NON_BILLABLE_PROJECTS:
            return BillableStatus.NON_BILLABLE
        return BillableStatus.BILLABLE

    def _approval(self, user_id: int, day: dt.date) -> str:
        if self.user_names[user_id] not in APPROVAL_USERS:
            return ApprovalStatus.DRAFT
        weeks_ago = (_monday(self.today) - _monday(day)).days // 7
        return APPROVALS_BY_WEEKS_AGO.get(weeks_ago, ApprovalStatus.DRAFT)


# The columns of a seeded entry row (model field names), in the order _add_entry gives them.
ENTRY_COLUMNS = (
    "id",
    "workspace",
    "entered_on",
    "duration_minutes",
    "created_by",
    "attributable_to",
    "task",
    "description",
    "billable_status",
    "approval_status",
    "created_at",
)
LINK_COLUMNS = ("sandboxentry", "sandboxcategory")
_BATCH = 2000


def _insert(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """INSERT plain rows; dates and times are put in the backend's form."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in names]
    prepare = [_preparer(field, db) for field in fields]
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = db.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model metadata
    with db.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            cursor.executemany(
                sql, [[to_db(v) for to_db, v in zip(prepare, row, strict=True)] for row in batch]
            )


def _preparer(field: Field, db: BaseDatabaseWrapper) -> Callable[[object], object]:
    if isinstance(field, DateTimeField):
        return db.ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return db.ops.adapt_datefield_value
    return lambda value: value  # numbers and text go as they are


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _logged_at(day: dt.date, entry_id: int) -> dt.datetime:
    """When the entry was logged: late afternoon (UTC) of its day."""
    minutes = 16 * 60 + (entry_id * 37) % 240
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


def _members(users: list[tuple[SandboxUser, tuple]], workspace_index: int) -> list[SandboxUser]:
    return [user for user, indexes in users if workspace_index in indexes]
