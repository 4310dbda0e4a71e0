"""Roles follow Asana, per workspace: a workspace admin in Asana is a category admin in that
workspace (and only there), a member views its categories, a guest sees nothing of it; the
manager role (reviewing time) is granted in the dashboard by an admin of that workspace.
Asana is asked again at every sign-in and at least every ASANA_ROLES_RECHECK_SECONDS, so
rights Asana takes away are gone by the next check."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from categories.access.decorators import NO_REVIEW, NO_WORKSPACE, READ_ONLY
from categories.access.models import WorkspaceRole
from categories.access.roles import (
    can_change_categories_in,
    can_manage_roles_in,
    can_review_time_in,
    can_view_in,
    role_names,
)
from categories.access.workspace_roles import NotAnAdmin, workspace_manager_set
from categories.sandbox.models import SandboxUser, SandboxWorkspace
from tests.support.asana_calls import AsanaCalls
from tests.support.asana_sign_in import ALEX, AMARA, CHEN, PRIYA, SAM, sign_in_with_asana
from tests.support.sandbox import ACME, NORTHWIND
from tests.support.screens import text_of

pytestmark = pytest.mark.usefixtures("seeded_sandbox")

WRITES = ("POST", "PUT", "DELETE")


def account(user_gid: str) -> Any:
    """The person's dashboard account, fresh from the database (no cached roles)."""
    return get_user_model().objects.get(username=f"asana-{user_gid}")


def signed_in(user_gid: str) -> Client:
    client = Client()
    sign_in_with_asana(client, user_gid)
    return client


def switch_to(client: Client, workspace_gid: str) -> None:
    answer = client.post("/workspace/", {"workspace": workspace_gid})
    assert answer.status_code == 302
    assert client.session["workspace"]["gid"] == workspace_gid


def asana_admins(workspace_gid: str) -> Any:
    """The workspace's admins as Asana keeps them (the sandbox's)."""
    return SandboxWorkspace.find(workspace_gid).admins


def create_category(client: Client, name: str) -> Any:
    return client.post("/categories/create/", {"name": name, "color": "red"})


def assert_refused(answer: Any, problem: Any) -> None:
    assert answer.status_code == 403
    assert html.unescape(problem.title) in text_of(answer)


# --- what each standing gives ------------------------------------------------------------------


def test_a_workspace_admin_in_asana_administers_that_workspace_only() -> None:
    asana_admins(NORTHWIND).add(SandboxUser.find(CHEN))  # Chen: admin here, member in Acme
    chen = signed_in(CHEN)
    user = account(CHEN)

    assert can_change_categories_in(user, NORTHWIND)
    assert can_review_time_in(user, NORTHWIND)
    assert not can_change_categories_in(user, ACME)
    assert not can_review_time_in(user, ACME)
    switch_to(chen, NORTHWIND)
    assert create_category(chen, "Client calls").status_code == 302
    switch_to(chen, ACME)
    assert_refused(create_category(chen, "Client calls"), READ_ONLY)


def test_an_admin_is_told_so_on_their_roles(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)

    assert role_names(account(PRIYA)) == ["Workspace admin in Northwind Studio"]


def test_a_member_views_the_categories_but_reviews_no_time_and_changes_nothing(
    asana_calls: AsanaCalls,
) -> None:
    chen = signed_in(CHEN)
    switch_to(chen, ACME)

    page = chen.get("/")
    assert page.status_code == 200
    assert "Acme Consulting Group" in text_of(page)
    assert_refused(chen.get("/overview/"), NO_REVIEW)
    assert_refused(chen.get("/team/"), NO_REVIEW)
    assert_refused(create_category(chen, "Never made"), READ_ONLY)
    assert not [call for call in asana_calls if call.method in WRITES]
    assert role_names(account(CHEN)) == [
        "Member in Acme Consulting Group",
        "Member in Northwind Studio",
    ]


def test_a_guest_sees_nothing_of_the_workspace(client: Client) -> None:
    sign_in_with_asana(client, SAM)  # a guest of Northwind, and in no other workspace
    user = account(SAM)

    assert not can_view_in(user, NORTHWIND)
    assert "workspace" not in client.session
    assert_refused(client.get("/"), NO_WORKSPACE)
    assert "Northwind" not in text_of(client.get("/"))
    assert WorkspaceRole.objects.get(user=user).label == "Guest (no access)"


def test_a_guest_cannot_choose_the_workspace_either(client: Client) -> None:
    sign_in_with_asana(client, AMARA)  # a member of Acme only
    WorkspaceRole.objects.create(
        user=account(AMARA),
        workspace_gid=NORTHWIND,
        workspace_name="Northwind Studio",
        is_guest=True,
        checked_at="2025-06-30T00:00:00Z",
    )

    client.post("/workspace/", {"workspace": NORTHWIND})

    assert client.session["workspace"]["gid"] == ACME
    session = client.session
    session["workspace"] = {"gid": NORTHWIND, "name": "Northwind Studio"}
    session.save()  # even remembered, the workspace is not shown to a guest
    page = client.get("/")
    assert page.status_code == 200
    assert client.session["workspace"]["gid"] == ACME


def test_a_person_sees_only_the_workspaces_asana_gives_them() -> None:
    amara = signed_in(AMARA)

    assert not can_view_in(account(AMARA), NORTHWIND)
    assert amara.post("/workspace/", {"workspace": NORTHWIND}).status_code == 302
    assert amara.session["workspace"]["gid"] == ACME
    assert_refused(amara.get("/overview/"), NO_REVIEW)


# --- asked of Asana again ----------------------------------------------------------------------


def test_admin_rights_asana_takes_away_are_gone_at_the_next_check(settings: Any) -> None:
    priya = signed_in(PRIYA)
    asana_admins(NORTHWIND).remove(SandboxUser.find(PRIYA))

    # Until the check is due the dashboard keeps what Asana said at sign-in (Asana itself
    # refuses her writes meanwhile) ...
    priya.get("/")
    assert can_change_categories_in(account(PRIYA), NORTHWIND)

    settings.ASANA_ROLES_RECHECK_SECONDS = 0  # ... and the check comes due
    assert priya.get("/").status_code == 200  # still a member: she still views

    assert not can_change_categories_in(account(PRIYA), NORTHWIND)
    assert_refused(create_category(priya, "Never made"), READ_ONLY)
    assert_refused(priya.get("/overview/"), NO_REVIEW)


def test_admin_rights_asana_gives_arrive_at_the_next_check(settings: Any) -> None:
    chen = signed_in(CHEN)
    asana_admins(ACME).add(SandboxUser.find(CHEN))
    settings.ASANA_ROLES_RECHECK_SECONDS = 0

    chen.get("/")

    assert can_change_categories_in(account(CHEN), ACME)


def test_leaving_a_workspace_in_asana_takes_everything_there_away(settings: Any) -> None:
    chen = signed_in(CHEN)
    signed_in(PRIYA)
    workspace_manager_set(
        granted_by=account(PRIYA),
        workspace_gid=NORTHWIND,
        user_id=account(CHEN).pk,
        is_manager=True,
    )
    SandboxWorkspace.find(NORTHWIND).members.remove(SandboxUser.find(CHEN))
    settings.ASANA_ROLES_RECHECK_SECONDS = 0

    chen.get("/")

    user = account(CHEN)
    assert not can_view_in(user, NORTHWIND)
    assert not WorkspaceRole.objects.filter(user=user, workspace_gid=NORTHWIND).exists()
    chen.post("/workspace/", {"workspace": NORTHWIND})
    assert chen.session["workspace"]["gid"] == ACME  # not offered any more


def test_asana_down_at_the_check_keeps_the_roles_it_gave(settings: Any) -> None:
    from categories.sandbox.faults import inject_fault

    priya = signed_in(PRIYA)
    settings.ASANA_ROLES_RECHECK_SECONDS = 0
    inject_fault(kind="status", path_pattern="workspace_memberships", status=503)

    assert priya.get("/").status_code == 200
    assert can_change_categories_in(account(PRIYA), NORTHWIND)


# --- the manager role --------------------------------------------------------------------------


def test_a_manager_granted_by_an_admin_reviews_time_in_that_workspace_only() -> None:
    priya, chen = signed_in(PRIYA), signed_in(CHEN)

    role = workspace_manager_set(
        granted_by=account(PRIYA),
        workspace_gid=NORTHWIND,
        user_id=account(CHEN).pk,
        is_manager=True,
    )

    assert role.manager_granted_by == account(PRIYA)
    user = account(CHEN)
    assert can_review_time_in(user, NORTHWIND)
    assert not can_change_categories_in(user, NORTHWIND)
    assert not can_review_time_in(user, ACME)
    switch_to(chen, NORTHWIND)
    assert chen.get("/overview/").status_code == 200
    assert_refused(create_category(chen, "Never made"), READ_ONLY)
    switch_to(chen, ACME)
    assert_refused(chen.get("/overview/"), NO_REVIEW)
    assert priya.get("/").status_code == 200


def test_the_manager_role_survives_the_next_check(settings: Any) -> None:
    chen = signed_in(CHEN)
    signed_in(PRIYA)
    workspace_manager_set(
        granted_by=account(PRIYA),
        workspace_gid=NORTHWIND,
        user_id=account(CHEN).pk,
        is_manager=True,
    )
    settings.ASANA_ROLES_RECHECK_SECONDS = 0

    chen.get("/")

    assert can_review_time_in(account(CHEN), NORTHWIND)


def test_withdrawing_the_manager_role_takes_time_review_away() -> None:
    signed_in(CHEN), signed_in(PRIYA)
    for is_manager in (True, False):
        workspace_manager_set(
            granted_by=account(PRIYA),
            workspace_gid=NORTHWIND,
            user_id=account(CHEN).pk,
            is_manager=is_manager,
        )

    assert not can_review_time_in(account(CHEN), NORTHWIND)
    assert (
        WorkspaceRole.objects.get(user=account(CHEN), workspace_gid=NORTHWIND).manager_granted_by
        is None
    )


@pytest.mark.parametrize(
    ("granter", "workspace"),
    [
        (CHEN, NORTHWIND),  # a member of the workspace, not its admin
        (PRIYA, ACME),  # an admin, of another workspace
    ],
)
def test_only_an_admin_of_the_workspace_may_grant_its_manager_role(
    granter: str, workspace: str
) -> None:
    signed_in(CHEN), signed_in(PRIYA), signed_in(AMARA)
    grantee = account(AMARA) if workspace == ACME else account(CHEN)

    assert not can_manage_roles_in(account(granter), workspace)
    with pytest.raises(NotAnAdmin):
        workspace_manager_set(
            granted_by=account(granter),
            workspace_gid=workspace,
            user_id=grantee.pk,
            is_manager=True,
        )
    assert not WorkspaceRole.objects.get(user=grantee, workspace_gid=workspace).is_manager


def test_a_local_category_admin_grants_no_asana_workspace_roles(category_admin: Any) -> None:
    signed_in(CHEN)

    with pytest.raises(NotAnAdmin):
        workspace_manager_set(
            granted_by=category_admin,
            workspace_gid=NORTHWIND,
            user_id=account(CHEN).pk,
            is_manager=True,
        )


def test_an_admin_who_lost_admin_rights_in_asana_grants_nothing_after_the_check(
    settings: Any,
) -> None:
    priya = signed_in(PRIYA)
    signed_in(CHEN)
    asana_admins(NORTHWIND).remove(SandboxUser.find(PRIYA))
    settings.ASANA_ROLES_RECHECK_SECONDS = 0
    priya.get("/")

    with pytest.raises(NotAnAdmin):
        workspace_manager_set(
            granted_by=account(PRIYA),
            workspace_gid=NORTHWIND,
            user_id=account(CHEN).pk,
            is_manager=True,
        )


def test_alex_the_admin_of_both_administers_both() -> None:
    signed_in(ALEX)

    assert can_change_categories_in(account(ALEX), NORTHWIND)
    assert can_change_categories_in(account(ALEX), ACME)


def test_each_person_sees_their_own_asana_not_the_last_persons() -> None:
    """Answers are cached per person: Alex's workspaces never show in Priya's pages."""
    alex, priya = signed_in(ALEX), signed_in(PRIYA)
    alex_page = text_of(alex.get("/"))
    assert "Acme Consulting Group" in alex_page
    assert "Signed in as Alex Morgan" in alex_page

    page = text_of(priya.get("/"))

    assert "Signed in as Priya Raman" in page
    assert "Acme Consulting Group" not in page
    assert "Alex Morgan" not in page
