"""Categories: list, read, create, update, delete, validation and errors, Asana's way."""

from __future__ import annotations

import pytest

from categories.asana.colors import CATEGORY_NAME_MAX_LENGTH
from categories.sandbox.models import SandboxCategory, SandboxEntry
from tests.support.sandbox import (
    ACME,
    DESIGN,
    ENGINEERING,
    NORTHWIND,
    UNKNOWN_CATEGORY,
    Api,
    error_message,
    sandbox_session,
)

CATEGORIES = "/time_tracking_categories"


def _names(api: Api, **params: str) -> list[str]:
    response = api.get(CATEGORIES, workspace=NORTHWIND, **params)
    assert response.status_code == 200
    return [category["name"] for category in response.json()["data"]]


# --- reading ---------------------------------------------------------------------------


def test_list_answers_compact_records_in_a_data_envelope(api: Api) -> None:
    response = api.get(CATEGORIES, workspace=NORTHWIND)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"data"}  # no limit: no next_page key at all
    assert body["data"][0] == {
        "gid": ENGINEERING,
        "resource_type": "time_tracking_category",
        "name": "Engineering",
        "color": "blue",
    }


def test_list_is_ordered_by_gid(api: Api) -> None:
    gids = [c["gid"] for c in api.get(CATEGORIES, workspace=ACME, limit=100).json()["data"]]

    assert gids == sorted(gids)


def test_list_hides_archived_categories_unless_asked(api: Api) -> None:
    active = _names(api)
    archived = _names(api, is_archived="true")

    assert len(active) == 11
    assert len(archived) == 4
    assert "Legacy migration" in archived
    assert not set(active) & set(archived)
    assert _names(api, is_archived="false") == active


def test_opt_fields_answer_gid_resource_type_and_exactly_the_fields_asked(api: Api) -> None:
    response = api.get(CATEGORIES, workspace=NORTHWIND, opt_fields="name,is_archived")

    assert response.json()["data"][0] == {
        "gid": ENGINEERING,
        "resource_type": "time_tracking_category",
        "name": "Engineering",
        "is_archived": False,
    }


def test_unknown_opt_field_is_a_400_naming_opt_fields(api: Api) -> None:
    response = api.get(CATEGORIES, workspace=NORTHWIND, opt_fields="name,budget")

    assert response.status_code == 400
    assert error_message(response).startswith("opt_fields:")
    assert "budget" in error_message(response)


def test_single_category_is_a_full_record(api: Api) -> None:
    response = api.get(f"{CATEGORIES}/{DESIGN}")

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "gid": DESIGN,
            "resource_type": "time_tracking_category",
            "name": "Design",
            "color": "purple",
            "is_archived": False,
        }
    }


def test_unknown_gid_is_a_404_and_a_malformed_gid_a_400(api: Api) -> None:
    assert api.get(f"{CATEGORIES}/{UNKNOWN_CATEGORY}").status_code == 404
    # A workspace's gid is not a category's.
    assert api.get(f"{CATEGORIES}/{NORTHWIND}").status_code == 404
    for malformed in (api.get(f"{CATEGORIES}/abc"), api.get(f"{CATEGORIES}/¹²³")):
        assert malformed.status_code == 400
        assert "Not a valid gid" in error_message(malformed)


def test_workspace_is_required_and_must_exist(api: Api) -> None:
    missing = api.get(CATEGORIES)
    unknown = api.get(CATEGORIES, workspace="1201000000000099")

    assert (missing.status_code, error_message(missing)) == (400, "workspace: Missing input")
    assert (unknown.status_code, error_message(unknown)) == (
        400,
        "workspace: Not a recognized ID",
    )


def test_is_archived_must_be_a_boolean(api: Api) -> None:
    response = api.get(CATEGORIES, workspace=NORTHWIND, is_archived="maybe")

    assert response.status_code == 400
    assert error_message(response).startswith("is_archived:")


# --- creating --------------------------------------------------------------------------


def test_create_answers_201_with_the_full_record(api: Api) -> None:
    response = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "Hiring", "color": "aqua"})

    assert response.status_code == 201
    data = response.json()["data"]
    assert data == {
        "gid": data["gid"],
        "resource_type": "time_tracking_category",
        "name": "Hiring",
        "color": "aqua",
        "is_archived": False,
    }
    assert len(data["gid"]) == 16
    assert data["gid"].isdigit()
    assert api.get(f"{CATEGORIES}/{data['gid']}").json()["data"] == data


def test_create_defaults_to_no_colour_and_trims_the_name(api: Api) -> None:
    response = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "  Hiring \n"})

    assert response.json()["data"]["name"] == "Hiring"
    assert response.json()["data"]["color"] == "none"


def test_names_keep_markup_quotes_and_emoji_verbatim(api: Api) -> None:
    name = "R&D <b>\"Moonshot\"</b> 'ß' 🚀"

    created = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": name}).json()["data"]

    assert created["name"] == name
    assert api.get(f"{CATEGORIES}/{created['gid']}").json()["data"]["name"] == name
    assert "🚀".encode() in api.get(f"{CATEGORIES}/{created['gid']}").content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"workspace": NORTHWIND}, "name: Missing input"),
        ({"workspace": NORTHWIND, "name": "   "}, "name: Missing input"),
        ({"name": "Hiring"}, "workspace: Missing input"),
        ({"workspace": "1201000000000099", "name": "Hiring"}, "workspace: Not a recognized ID"),
    ],
)
def test_create_refuses_missing_input_naming_the_field(
    api: Api, data: dict[str, str], message: str
) -> None:
    response = api.post(CATEGORIES, data)

    assert (response.status_code, error_message(response)) == (400, message)


def test_name_longer_than_the_limit_is_refused(api: Api) -> None:
    fits = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "x" * CATEGORY_NAME_MAX_LENGTH})
    too_long = api.post(
        CATEGORIES, {"workspace": NORTHWIND, "name": "y" * (CATEGORY_NAME_MAX_LENGTH + 1)}
    )

    assert fits.status_code == 201
    assert too_long.status_code == 400
    assert error_message(too_long).startswith("name:")


def test_unknown_colour_is_refused_naming_color(api: Api) -> None:
    response = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "Hiring", "color": "teal"})

    assert response.status_code == 400
    assert error_message(response).startswith('color: Invalid enum value "teal"')


def test_duplicate_name_in_a_workspace_is_refused_case_insensitively(api: Api) -> None:
    response = api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "  eNGINEERING "})

    assert response.status_code == 400
    assert error_message(response) == (
        "name: A time tracking category with this name already exists in this workspace."
    )
    # Archived names count too; another workspace may use the name.
    assert api.post(CATEGORIES, {"workspace": NORTHWIND, "name": "office move"}).status_code == 400
    assert api.post(CATEGORIES, {"workspace": ACME, "name": "Engineering"}).status_code == 201


def test_invalid_json_body_is_a_400(api: Api) -> None:
    response = api.request(
        "POST", CATEGORIES, data=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400


def test_body_without_data_envelope_is_a_400(api: Api) -> None:
    response = api.request("POST", CATEGORIES, json={"workspace": NORTHWIND, "name": "Hiring"})

    assert (response.status_code, error_message(response)) == (400, "data: Missing input")


# --- updating and deleting -------------------------------------------------------------


def test_update_changes_only_the_fields_sent(api: Api) -> None:
    renamed = api.put(f"{CATEGORIES}/{DESIGN}", {"name": "Product design"})
    recoloured = api.put(f"{CATEGORIES}/{DESIGN}", {"color": "green"})

    assert renamed.status_code == 200
    assert renamed.json()["data"] == {
        "gid": DESIGN,
        "resource_type": "time_tracking_category",
        "name": "Product design",
        "color": "purple",
        "is_archived": False,
    }
    assert recoloured.json()["data"]["name"] == "Product design"
    assert recoloured.json()["data"]["color"] == "green"


def test_update_with_no_fields_changes_nothing(api: Api) -> None:
    response = api.put(f"{CATEGORIES}/{DESIGN}", {})

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Design"


def test_archiving_moves_a_category_to_the_archived_list(api: Api) -> None:
    response = api.put(f"{CATEGORIES}/{DESIGN}", {"is_archived": True})

    assert response.json()["data"]["is_archived"] is True
    assert "Design" not in _names(api)
    assert "Design" in _names(api, is_archived="true")


def test_update_validates_like_create(api: Api) -> None:
    duplicate = api.put(f"{CATEGORIES}/{DESIGN}", {"name": "engineering"})
    blank = api.put(f"{CATEGORIES}/{DESIGN}", {"name": " "})
    colour = api.put(f"{CATEGORIES}/{DESIGN}", {"color": "plaid"})
    archived = api.put(f"{CATEGORIES}/{DESIGN}", {"is_archived": "yes"})

    assert [r.status_code for r in (duplicate, blank, colour, archived)] == [400] * 4
    assert error_message(duplicate).startswith("name: A time tracking category")
    assert error_message(archived).startswith("is_archived:")
    assert api.get(f"{CATEGORIES}/{DESIGN}").json()["data"]["name"] == "Design"


def test_renaming_a_category_to_its_own_name_in_another_case_is_allowed(api: Api) -> None:
    response = api.put(f"{CATEGORIES}/{DESIGN}", {"name": "DESIGN"})

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "DESIGN"


def test_update_of_an_unknown_category_is_a_404(api: Api) -> None:
    assert api.put(f"{CATEGORIES}/{UNKNOWN_CATEGORY}", {"name": "x"}).status_code == 404


def test_delete_removes_the_category_from_its_entries_but_keeps_the_entries(api: Api) -> None:
    entry_ids = list(SandboxEntry.objects.filter(categories__pk=2).values_list("pk", flat=True))

    response = api.delete(f"{CATEGORIES}/{DESIGN}")

    assert (response.status_code, response.json()) == (200, {"data": {}})
    assert api.get(f"{CATEGORIES}/{DESIGN}").status_code == 404
    assert not SandboxCategory.objects.filter(pk=2).exists()
    assert SandboxEntry.objects.filter(pk__in=entry_ids).count() == len(entry_ids)
    assert not SandboxEntry.objects.filter(pk__in=entry_ids, categories__pk=2).exists()
    assert api.delete(f"{CATEGORIES}/{DESIGN}").status_code == 404


# --- transport-level errors ------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", [None, "", "Basic dXNlcjpwdw==", "Bearer", "Bearer invalid-token"]
)
def test_a_missing_malformed_or_invalid_token_is_a_401(
    demo: None, authorization: str | None
) -> None:
    api = Api(sandbox_session(token=None))
    headers = {} if authorization is None else {"Authorization": authorization}

    response = api.request("GET", CATEGORIES, params={"workspace": NORTHWIND}, headers=headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["help"]


def test_unknown_path_is_a_404_and_a_wrong_method_a_405(api: Api) -> None:
    assert api.get("/projects").status_code == 404
    assert api.request("GET", "/../elsewhere").status_code == 404
    wrong = api.request("PATCH", f"{CATEGORIES}/{DESIGN}")
    assert wrong.status_code == 405
    assert error_message(wrong)
