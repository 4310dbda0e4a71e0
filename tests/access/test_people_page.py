"""The People page: an admin of a workspace (as Asana says) grants or withdraws the
manager role (reviewing time) of the people who signed in with Asana, in that workspace
only; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from categories.access.models import WorkspaceRole
from categories.access.roles import can_review_time_in
from tests.support.asana_sign_in import CHEN, PRIYA, SAM, sign_in_with_asana
from tests.support.sandbox import ACME, NORTHWIND

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def signed_in(person_gid: str) -> tuple[Client, Any]:
    client = Client()
    sign_in_with_asana(client, person_gid)
    return client, WorkspaceRole.objects.filter(user__username=f"asana-{person_gid}")


def role_of(person_gid: str, workspace_gid: str) -> WorkspaceRole:
    return WorkspaceRole.objects.get(
        user__username=f"asana-{person_gid}", workspace_gid=workspace_gid
    )


@pytest.fixture
def chen() -> Client:
    return signed_in(CHEN)[0]


@pytest.fixture
def priya() -> Client:
    client, _ = signed_in(PRIYA)
    client.post("/workspace/", {"workspace": NORTHWIND})
    return client


def test_an_admin_sees_the_people_who_signed_in_with_their_asana_roles(
    priya: Client, chen: Client
) -> None:
    signed_in(SAM)

    page = priya.get("/people/").content.decode()

    assert "Chen Wei" in page
    assert "Sam Rivera" in page
    assert "<td>Workspace admin</td>" in page  # Priya herself
    assert 'name="is_manager"' in page  # Chen's form; none for the admin or the guest
    assert page.count('name="is_manager"') == 1


def test_an_admin_makes_a_member_a_manager_of_that_workspace_only(
    priya: Client, chen: Client
) -> None:
    person = role_of(CHEN, NORTHWIND).user
    assert not can_review_time_in(person, NORTHWIND)

    answer = priya.post("/people/", {"person": person.pk, "is_manager": "on"}, follow=True)

    assert "Chen Wei is now a manager." in answer.content.decode()
    assert role_of(CHEN, NORTHWIND).is_manager
    assert not role_of(CHEN, ACME).is_manager
    person = role_of(CHEN, NORTHWIND).user
    assert can_review_time_in(person, NORTHWIND)
    assert not can_review_time_in(person, ACME)


def test_unticking_withdraws_the_manager_role(priya: Client, chen: Client) -> None:
    person = role_of(CHEN, NORTHWIND).user
    priya.post("/people/", {"person": person.pk, "is_manager": "on"})

    priya.post("/people/", {"person": person.pk})

    assert not role_of(CHEN, NORTHWIND).is_manager


def test_a_guest_cannot_be_made_a_manager(priya: Client) -> None:
    signed_in(SAM)
    guest = role_of(SAM, NORTHWIND)

    answer = priya.post("/people/", {"person": guest.user_id, "is_manager": "on"})

    assert answer.status_code == 422
    assert "neither an admin nor a guest" in answer.content.decode()
    assert not role_of(SAM, NORTHWIND).is_manager


def test_someone_not_in_the_workspace_is_a_message_not_an_error(priya: Client) -> None:
    answer = priya.post("/people/", {"person": 999999, "is_manager": "on"})

    assert answer.status_code == 422
    assert "no longer a member of this workspace" in answer.content.decode()


def test_a_member_may_not_open_the_people_page_nor_grant_themselves(chen: Client) -> None:
    person = role_of(CHEN, NORTHWIND).user
    chen.post("/workspace/", {"workspace": NORTHWIND})

    assert chen.get("/people/").status_code == 403
    assert chen.post("/people/", {"person": person.pk, "is_manager": "on"}).status_code == 403
    assert not role_of(CHEN, NORTHWIND).is_manager


def test_a_local_category_admin_sees_the_list_but_grants_nothing(
    category_admin: Any, chen: Client
) -> None:
    person = role_of(CHEN, NORTHWIND).user
    client = Client()
    client.force_login(category_admin)
    client.post("/workspace/", {"workspace": NORTHWIND})

    page = client.get("/people/").content.decode()

    assert "Chen Wei" in page
    assert 'name="is_manager"' not in page
    assert client.post("/people/", {"person": person.pk, "is_manager": "on"}).status_code == 403
    assert not role_of(CHEN, NORTHWIND).is_manager


def test_the_navigation_links_the_people_page_for_admins(priya: Client) -> None:
    assert 'href="/people/"' in priya.get("/").content.decode()
