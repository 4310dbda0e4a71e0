"""Who the token is, and which workspaces it sees."""

from __future__ import annotations

from tests.support.sandbox import ACME, ALEX, NORTHWIND, Api, error_message


def test_users_me_is_the_demo_user_in_both_workspaces(api: Api) -> None:
    response = api.get("/users/me")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["gid"] == ALEX
    assert data["resource_type"] == "user"
    assert data["name"] == "Alex Morgan"
    assert data["email"] == "alex.morgan@northwind.example"
    assert data["workspaces"] == [
        {"gid": NORTHWIND, "resource_type": "workspace", "name": "Northwind Studio"},
        {"gid": ACME, "resource_type": "workspace", "name": "Acme Consulting Group"},
    ]


def test_users_me_with_the_clients_opt_fields(api: Api) -> None:
    response = api.get("/users/me", opt_fields="name,email,workspaces.name")

    assert response.json()["data"] == {
        "gid": ALEX,
        "resource_type": "user",
        "name": "Alex Morgan",
        "email": "alex.morgan@northwind.example",
        "workspaces": [
            {"gid": NORTHWIND, "name": "Northwind Studio"},
            {"gid": ACME, "name": "Acme Consulting Group"},
        ],
    }


def test_a_user_can_be_read_by_gid_and_an_unknown_one_is_a_404(api: Api) -> None:
    assert api.get(f"/users/{ALEX}").json()["data"]["name"] == "Alex Morgan"
    assert api.get("/users/1202000000009999").status_code == 404
    assert api.get("/users/someone").status_code == 400


def test_unknown_user_opt_field_is_a_400(api: Api) -> None:
    response = api.get("/users/me", opt_fields="password")

    assert response.status_code == 400
    assert error_message(response).startswith("opt_fields:")


def test_workspaces_are_compact_and_paginated(api: Api) -> None:
    first = api.get("/workspaces", limit=1, opt_fields="name").json()
    second = api.get("/workspaces", limit=1, offset=first["next_page"]["offset"]).json()

    assert first["data"] == [
        {"gid": NORTHWIND, "resource_type": "workspace", "name": "Northwind Studio"}
    ]
    assert second["data"][0]["gid"] == ACME
    assert second["next_page"] is None
    assert set(api.get("/workspaces").json()) == {"data"}


def test_my_workspace_memberships_say_where_i_am_an_admin(api: Api) -> None:
    response = api.get(
        "/users/me/workspace_memberships", opt_fields="workspace.name,is_admin,is_guest"
    )

    assert response.status_code == 200
    assert [(m["workspace"], m["is_admin"], m["is_guest"]) for m in response.json()["data"]] == [
        ({"gid": NORTHWIND, "name": "Northwind Studio"}, True, False),
        ({"gid": ACME, "name": "Acme Consulting Group"}, True, False),
    ]
    assert {m["resource_type"] for m in response.json()["data"]} == {"workspace_membership"}


def test_another_users_memberships_are_their_own(api: Api) -> None:
    priya, chen = "1202000000000002", "1202000000000005"

    admin_of = {
        user: [
            (m["workspace"]["gid"], m["is_admin"])
            for m in api.get(
                f"/users/{user}/workspace_memberships", opt_fields="workspace,is_admin"
            ).json()["data"]
        ]
        for user in (priya, chen)
    }

    assert admin_of == {priya: [(NORTHWIND, True)], chen: [(NORTHWIND, False), (ACME, False)]}
    unknown = api.get("/users/1202000000999999/workspace_memberships")
    assert unknown.status_code == 404
    assert error_message(unknown).startswith("user: ")
