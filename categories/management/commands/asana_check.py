"""`python manage.py asana_check`: is the configured token good for this dashboard?

Prints the token's user, its workspaces, and whether each scope the dashboard needs works.
The write and delete probes are requests Asana must refuse for their input (an empty name,
an unknown gid), so they tell "allowed" from "forbidden" without changing anything.
Exits non-zero when anything needed fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaClient,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    Workspace,
)
from categories.web.client import asana_client
from categories.web.problems import describe

# A gid no category has: deleting it must answer 404 when the delete scope is granted.
UNKNOWN_GID = "1"


@dataclass(frozen=True)
class ScopeCheck:
    scope: str
    probe: Callable[[AsanaClient, Workspace], object]
    # Errors that prove the request got past Asana's permission check.
    allowed_errors: tuple[type[AsanaError], ...] = ()


CHECKS = (
    ScopeCheck(
        "time_tracking_categories:read",
        lambda c, w: c.categories_page(workspace_gid=w.gid, limit=1),
    ),
    ScopeCheck(
        "time_tracking_categories:write",
        lambda c, w: c.create_category(workspace_gid=w.gid, name=""),
        allowed_errors=(AsanaBadRequest,),
    ),
    ScopeCheck(
        "time_tracking_categories:delete",
        lambda c, w: c.delete_category(UNKNOWN_GID),
        allowed_errors=(AsanaNotFound, AsanaBadRequest),
    ),
    ScopeCheck(
        "time_tracking_entries:read",
        lambda c, w: c.workspace_entries_page(
            workspace_gid=w.gid, start_date=dt.date.today(), end_date=dt.date.today(), limit=1
        ),
    ),
)


class Command(BaseCommand):
    help = "Check the Asana token: its user, its workspaces and every scope the dashboard needs."

    def handle(self, *args: Any, **options: Any) -> None:
        client = asana_client()
        self.stdout.write(f"Asana API: {client.base_url}")
        try:
            user = client.me()
            workspaces = list(client.iter_workspaces())
        except AsanaError as error:
            raise CommandError(f"users:read / workspaces:read: {describe(error).detail}") from None
        self.stdout.write(f"Token user: {user.name} <{user.email}> (gid {user.gid})")
        self._ok("users:read, workspaces:read")
        if not workspaces:
            raise CommandError("The token sees no workspace.")
        failures = 0
        for workspace in workspaces:
            self.stdout.write(f"\nWorkspace: {workspace.name} (gid {workspace.gid})")
            failures += sum(not self._check(client, workspace, check) for check in CHECKS)
        if failures:
            raise CommandError(f"{failures} check(s) failed; see above.")
        self.stdout.write(self.style.SUCCESS("\nEverything the dashboard needs works."))

    def _check(self, client: AsanaClient, workspace: Workspace, check: ScopeCheck) -> bool:
        try:
            check.probe(client, workspace)
        except check.allowed_errors:
            pass
        except (AsanaForbidden, AsanaAuthError) as error:
            self._fail(check.scope, describe(error).detail)
            return False
        except AsanaError as error:
            self._fail(check.scope, f"could not be checked: {describe(error).detail}")
            return False
        self._ok(check.scope)
        return True

    def _ok(self, scope: str) -> None:
        self.stdout.write(f"  {self.style.SUCCESS('ok')}    {scope}")

    def _fail(self, scope: str, why: str) -> None:
        self.stdout.write(f"  {self.style.ERROR('FAIL')}  {scope}: {why}")
