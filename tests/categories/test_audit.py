"""The audit log: every attempted change is recorded with its outcome, and nothing is lost."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings

from categories import selectors, services
from categories.asana import AsanaError, RetryPolicy
from categories.audit import audited
from categories.models import AuditEntry
from categories.sandbox.faults import inject_fault

NORTHWIND = "1201000000000001"
ENGINEERING = "1209000000000001"


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries of failed PUTs and DELETEs would otherwise wait seconds.
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)


@pytest.fixture
def engineering(seeded_sandbox: None) -> Any:
    return selectors.category_get(gid=ENGINEERING)


def only_entry() -> AuditEntry:
    entries = list(AuditEntry.objects.all())
    assert len(entries) == 1, entries
    return entries[0]


# --- successful writes --------------------------------------------------------------------


def test_a_created_category_is_logged_with_its_new_gid_and_values(
    category_admin: Any, seeded_sandbox: None
) -> None:
    created = services.category_create(
        actor=category_admin, workspace_gid=NORTHWIND, name="Threat modelling", color="blue"
    )
    entry = only_entry()
    assert (entry.action, entry.outcome) == ("create", "succeeded")
    assert (entry.actor, entry.actor_username) == (category_admin, "cat-admin")
    assert (entry.category_gid, entry.category_name) == (created.gid, "Threat modelling")
    assert entry.after == {"name": "Threat modelling", "color": "blue", "is_archived": False}
    assert entry.error_message == ""


@pytest.mark.parametrize(
    ("name", "color", "action"),
    [
        ("Engineering & Ops", None, "rename"),
        (None, "indigo", "recolour"),
        ("Platform", "indigo", "update"),
    ],
)
def test_a_change_is_logged_with_the_values_before_and_after(
    category_admin: Any, engineering: Any, name: str | None, color: str | None, action: str
) -> None:
    services.category_update(
        actor=category_admin,
        workspace_gid=NORTHWIND,
        current=engineering,
        name=name or engineering.name,
        color=color or engineering.color,
    )
    entry = only_entry()
    assert (entry.action, entry.outcome, entry.category_gid) == (action, "succeeded", ENGINEERING)
    assert entry.before == {"name": engineering.name, "color": engineering.color}
    assert entry.after["name"] == (name or engineering.name)
    assert entry.after["color"] == (color or engineering.color)


def test_archiving_and_unarchiving_are_logged(category_admin: Any, seeded_sandbox: None) -> None:
    services.category_archive(actor=category_admin, workspace_gid=NORTHWIND, gid=ENGINEERING)
    services.category_unarchive(actor=category_admin, workspace_gid=NORTHWIND, gid=ENGINEERING)
    unarchive, archive = AuditEntry.objects.all()  # newest first
    assert (archive.action, archive.before, archive.after) == (
        "archive",
        {"is_archived": False},
        {"is_archived": True},
    )
    assert (unarchive.action, unarchive.after) == ("unarchive", {"is_archived": False})
    assert {archive.outcome, unarchive.outcome} == {"succeeded"}


def test_a_deleted_category_is_logged_with_what_it_was(
    category_admin: Any, engineering: Any
) -> None:
    services.category_delete(actor=category_admin, workspace_gid=NORTHWIND, category=engineering)
    entry = only_entry()
    assert (entry.action, entry.outcome, entry.category_name) == (
        "delete",
        "succeeded",
        engineering.name,
    )
    assert entry.before["name"] == engineering.name


# --- failed writes ------------------------------------------------------------------------


def test_a_refused_change_is_logged_as_failed_with_asanas_message(
    category_admin: Any, engineering: Any
) -> None:
    inject_fault(kind="status", method="PUT", status=403)
    with pytest.raises(AsanaError):
        services.category_update(
            actor=category_admin,
            workspace_gid=NORTHWIND,
            current=engineering,
            name="Not allowed",
            color=engineering.color,
        )
    entry = only_entry()
    assert (entry.action, entry.outcome) == ("rename", "failed")
    assert entry.error_message == "Forbidden"
    assert entry.after["name"] == "Not allowed"


def test_a_change_while_asana_is_down_is_still_logged(
    category_admin: Any, engineering: Any
) -> None:
    inject_fault(kind="connection_refused", method="DELETE")
    with pytest.raises(AsanaError):
        services.category_delete(
            actor=category_admin, workspace_gid=NORTHWIND, category=engineering
        )
    entry = only_entry()
    assert (entry.action, entry.outcome) == ("delete", "failed")
    assert entry.error_message == "Could not connect to Asana."


def test_a_change_asana_never_answered_is_logged_as_unknown(
    category_admin: Any, seeded_sandbox: None
) -> None:
    """A timed-out create may have happened: the log must not claim it failed."""
    inject_fault(kind="timeout", method="POST", latency_ms=1)
    with pytest.raises(AsanaError):
        services.category_create(
            actor=category_admin, workspace_gid=NORTHWIND, name="Maybe", color="none"
        )
    entry = only_entry()
    assert (entry.action, entry.outcome) == ("create", "unknown")
    assert entry.error_message == "Asana did not answer in time."


def test_a_crash_inside_the_change_is_logged_and_not_swallowed(category_admin: Any) -> None:
    with (
        pytest.raises(RuntimeError),
        audited(actor=category_admin, action="create", category_name="Boom"),
    ):
        raise RuntimeError("bug")
    entry = only_entry()
    assert entry.outcome == "failed"
    assert entry.error_message == "The dashboard failed before Asana answered."


def test_the_entry_exists_before_asana_is_asked(category_admin: Any) -> None:
    with audited(actor=category_admin, action="create", category_name="Early") as entry:
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert stored.outcome == "pending"
    assert AuditEntry.objects.get(pk=entry.pk).outcome == "succeeded"


def test_requests_are_not_one_transaction_so_a_failed_write_keeps_its_entry() -> None:
    # With ATOMIC_REQUESTS the error page's rollback would erase the failed attempt.
    for database in settings.DATABASES.values():
        assert not database.get("ATOMIC_REQUESTS", False)


# --- through the screens ------------------------------------------------------------------


def test_a_rename_through_the_screen_is_logged_with_who_did_it(
    admin_http: Any, category_admin: Any, engineering: Any
) -> None:
    response = admin_http.post(
        f"/categories/{ENGINEERING}/update/", {"name": "Core", "color": engineering.color}
    )
    assert response.status_code in (200, 302)
    entry = only_entry()
    assert (entry.actor, entry.action, entry.outcome) == (category_admin, "rename", "succeeded")
    assert (entry.before["name"], entry.after["name"]) == (engineering.name, "Core")


def test_a_refused_archive_through_the_screen_is_logged_as_failed(admin_http: Any) -> None:
    inject_fault(kind="status", method="PUT", status=403)
    response = admin_http.post(f"/categories/{ENGINEERING}/archive/")
    assert response.status_code == 403
    entry = only_entry()
    assert (entry.action, entry.outcome, entry.error_message) == ("archive", "failed", "Forbidden")


def test_a_reviewers_refused_attempt_changes_nothing_and_is_logged_as_a_warning(
    reviewer_http: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="categories.security"):
        response = reviewer_http.post(f"/categories/{ENGINEERING}/archive/")
    assert response.status_code == 403
    assert selectors.category_get(gid=ENGINEERING).is_archived is False
    # Not a category change, so not in the audit log; the server log names who tried.
    assert not AuditEntry.objects.exists()
    (record,) = [r for r in caplog.records if r.name == "categories.security"]
    assert "reviewer" in record.getMessage()
    assert f"/categories/{ENGINEERING}/archive/" in record.getMessage()


# --- the category's own workspace ---------------------------------------------------------

ACME = "1201000000000002"
ACME_FIRST = "1209000000000016"  # a category of Acme, the second workspace


def test_an_action_on_another_workspaces_category_is_recorded_with_that_workspace(
    admin_http: Any,
) -> None:
    """The session is on Northwind; the category lives in Acme: Acme is what happened."""
    admin_http.post("/workspace/", {"workspace": NORTHWIND})
    response = admin_http.post(f"/categories/{ACME_FIRST}/archive/")
    assert response.status_code in (200, 302)
    entry = only_entry()
    assert (entry.action, entry.outcome, entry.workspace_gid) == ("archive", "succeeded", ACME)


def test_a_category_in_a_workspace_the_person_may_not_change_is_not_found(
    admin_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from categories import views

    monkeypatch.setattr(views, "can_change_categories_in", lambda user, gid: gid != ACME)
    response = admin_http.post(f"/categories/{ACME_FIRST}/archive/")
    assert response.status_code == 404
    assert selectors.category_get(gid=ACME_FIRST).is_archived is False
    assert not AuditEntry.objects.exists()


def test_a_category_in_no_workspace_of_the_token_is_not_found(admin_http: Any) -> None:
    response = admin_http.post("/categories/1209000000999999/archive/")
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()
