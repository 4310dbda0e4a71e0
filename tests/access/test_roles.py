"""The two roles: created by a migration, and what each one (or none) sees."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from categories.access.roles import (
    CATEGORY_ADMINS,
    TIME_REVIEWERS,
    can_change_categories,
    can_view_dashboard,
    role_names,
)
from tests.security.routes import routes_needing

WRITES = routes_needing("change")
# Any category's write URL: the routes' paths with the sample gid as a digits pattern.
WRITE_URL = re.compile(
    "|".join(
        re.escape(route.path(gid="1209000000000001")).replace("1209000000000001", r"\d+")
        for route in WRITES
    )
)


ROLES_MIGRATION = importlib.import_module("categories.migrations.0002_roles")


def test_the_roles_migration_is_applied(db: None) -> None:
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("categories", "0002_roles") in applied


def test_the_roles_migration_creates_both_groups_and_can_run_again(db: None) -> None:
    # Run here rather than trusting the table: other packages' tests may flush the database.
    Group.objects.filter(name__in=[CATEGORY_ADMINS, TIME_REVIEWERS]).delete()
    for _ in range(2):
        ROLES_MIGRATION.create_roles(django_apps, None)
    assert set(Group.objects.values_list("name", flat=True)) == {CATEGORY_ADMINS, TIME_REVIEWERS}


def test_category_admins_may_read_the_audit_log_in_the_admin_and_nothing_more(db: None) -> None:
    ROLES_MIGRATION.create_roles(django_apps, None)
    admins = Group.objects.get(name=CATEGORY_ADMINS).permissions.values_list("codename", flat=True)
    reviewers = Group.objects.get(name=TIME_REVIEWERS).permissions.all()
    assert list(admins) == ["view_auditentry"]
    assert not reviewers.exists()


def test_reviewers_view_but_do_not_change(time_reviewer: Any) -> None:
    assert can_view_dashboard(time_reviewer)
    assert not can_change_categories(time_reviewer)
    assert role_names(time_reviewer) == [TIME_REVIEWERS]


def test_superusers_may_do_everything_without_a_role(superuser: Any) -> None:
    assert can_change_categories(superuser)
    assert can_view_dashboard(superuser)


def test_an_inactive_admin_may_do_nothing(category_admin: Any) -> None:
    category_admin.is_active = False
    assert not can_view_dashboard(category_admin)
    assert not can_change_categories(category_admin)


def test_a_person_without_a_role_sees_only_the_explanation(
    client: Client, roleless_user: Any, seeded_sandbox: None
) -> None:
    client.force_login(roleless_user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Ask for a role" in html
    assert "Category admins" in html
    assert "Time reviewers" in html
    # Nothing from Asana: not the workspace, not the token's user, not a category.
    for asana_text in ("Northwind", "Alex Morgan", "Engineering"):
        assert asana_text not in html
    assert "/audit/" not in html


def test_a_person_without_a_role_can_still_sign_out(
    client: Client, roleless_user: Any, seeded_sandbox: None
) -> None:
    client.force_login(roleless_user)
    assert 'action="/accounts/logout/"' in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "/?state=archived", "/?state=all"])
def test_reviewers_are_not_shown_buttons_for_changes(reviewer_http: Client, path: str) -> None:
    html = reviewer_http.get(path).content.decode()
    assert not WRITE_URL.findall(html)


def test_category_admins_are_shown_them(admin_http: Client) -> None:
    """The check above can fail: the same page offers changes to a Category admin."""
    assert WRITE_URL.findall(admin_http.get("/").content.decode())
