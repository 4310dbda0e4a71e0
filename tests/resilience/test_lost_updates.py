"""Lost-update guard and deleted categories: a save never overwrites a change someone else
made after the form was opened, and a category deleted meanwhile is a 404 message, not a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from categories import services
from categories.asana import Category
from categories.models import AuditEntry
from categories.sandbox.models import SandboxCategory, name_key
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

NORTHWIND = "1201000000000001"
DESIGN = "1209000000000002"  # purple
MISSING = "1209000000999999"
UPDATE = f"/categories/{DESIGN}/update/"


def someone_else_changes_design(name: str = "Design team", color: str = "purple") -> None:
    """A change made in Asana itself (straight in the sandbox), not through the dashboard."""
    design = SandboxCategory.find(DESIGN)
    design.name, design.name_key, design.color = name, name_key(name), color
    design.save()


def save(
    client: Any,
    name: str,
    color: str = "purple",
    *,
    seen: str = "Design",
    overwrite: bool = False,
    with_htmx: bool = True,
) -> Any:
    """Post the edit form; `seen` is the name it was opened with (or the conflict showed)."""
    data = {"name": name, "color": color, "original_name": seen, "original_color": "purple"}
    if overwrite:
        data["overwrite"] = "1"
    return client.post(UPDATE, data, **(htmx(f"category-{DESIGN}") if with_htmx else {}))


def stored() -> tuple[str, str]:
    design = SandboxCategory.find(DESIGN)
    return design.name, design.color


def versions(html: str) -> dict[str, str]:
    return dict(re.findall(r'<td data-version="(mine|theirs)">([^<]*)</td>', html))


# --- the edit form remembers what it showed -----------------------------------------------


def test_the_edit_form_carries_the_values_it_was_opened_with(admin_http: Any) -> None:
    html = admin_http.get(f"/categories/{DESIGN}/edit/", **htmx()).content.decode()

    assert re.search(r'<input type="hidden" name="original_name" value="Design"', html)
    assert re.search(r'<input type="hidden" name="original_color" value="purple"', html)


def test_a_failed_save_keeps_the_original_values_not_the_typed_ones(admin_http: Any) -> None:
    html = save(admin_http, "").content.decode()  # no name: refused before Asana

    assert re.search(r'name="original_name" value="Design"', html)


# --- a concurrent change -------------------------------------------------------------------


def test_a_concurrent_rename_shows_both_versions_instead_of_overwriting(admin_http: Any) -> None:
    someone_else_changes_design("Design team")

    response = save(admin_http, "Product design")

    html = response.content.decode()
    assert response.status_code == 409
    assert html.lstrip().startswith(
        f'<tr id="category-{DESIGN}" class="category-row editing conflict">'
    )
    assert "Your version" in html
    assert "Current version in Asana" in html
    assert versions(html) == {"mine": "Product design", "theirs": "Design team"}
    assert "“Design” was changed in Asana while you were editing it" in html
    assert stored() == ("Design team", "purple")  # theirs, untouched


def test_a_concurrent_recolour_is_a_conflict_too(admin_http: Any) -> None:
    someone_else_changes_design(name="Design", color="red")

    response = save(admin_http, "Design", color="indigo")

    html = response.content.decode()
    assert response.status_code == 409
    assert "Indigo" in html
    assert "Red" in html
    assert stored() == ("Design", "red")


def test_a_conflict_changes_nothing_and_writes_no_audit_entry(admin_http: Any) -> None:
    someone_else_changes_design()

    save(admin_http, "Product design")

    assert not AuditEntry.objects.exists()


def test_the_conflict_gets_focus_and_offers_both_choices(admin_http: Any) -> None:
    someone_else_changes_design()

    html = save(admin_http, "Product design").content.decode()

    assert re.search(r'<section class="edit-conflict[^>]*tabindex="-1" autofocus>', html)
    assert f'id="conflict-{DESIGN}-mine">Save mine anyway</button>' in html
    assert f'id="conflict-{DESIGN}-theirs"' in html
    assert ">Keep theirs</a>" in html


def test_save_mine_anyway_posts_mine_with_theirs_as_the_new_original(admin_http: Any) -> None:
    someone_else_changes_design()

    html = save(admin_http, "Product design").content.decode()

    for field, value in [
        ("name", "Product design"),
        ("color", "purple"),
        ("original_name", "Design team"),
        ("original_color", "purple"),
        ("overwrite", "1"),
    ]:
        assert f'<input type="hidden" name="{field}" value="{value}">' in html


def test_saving_mine_anyway_overwrites_theirs_and_says_so(admin_http: Any) -> None:
    someone_else_changes_design()

    response = save(admin_http, "Product design", seen="Design team", overwrite=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert stored() == ("Product design", "purple")
    assert "Renamed “Design team” to “Product design”." in html
    assert "Your version replaced the one saved in Asana meanwhile." in html


def test_saving_mine_anyway_after_yet_another_change_asks_again(admin_http: Any) -> None:
    someone_else_changes_design("Design team")
    save(admin_http, "Product design")
    someone_else_changes_design("Design guild")  # while the person was deciding

    response = save(admin_http, "Product design", seen="Design team", overwrite=True)

    assert response.status_code == 409
    assert versions(response.content.decode())["theirs"] == "Design guild"
    assert stored() == ("Design guild", "purple")


def test_keep_theirs_shows_the_row_as_asana_has_it_with_a_message(admin_http: Any) -> None:
    someone_else_changes_design()

    response = admin_http.get(f"/categories/{DESIGN}/row/?kept=theirs", **htmx())

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="category-{DESIGN}" class="category-row">')
    assert ">Design team</a>" in html
    assert "Kept “Design team” as it is in Asana; nothing was saved." in html


def test_a_save_nobody_interfered_with_goes_through(admin_http: Any) -> None:
    response = save(admin_http, "Product design")

    assert response.status_code == 200
    assert stored() == ("Product design", "purple")


def test_when_the_other_person_made_the_same_change_there_is_nothing_to_save(
    admin_http: Any,
) -> None:
    someone_else_changes_design("Product design")

    response = save(admin_http, "Product design")

    assert response.status_code == 200
    assert "Nothing to save" in response.content.decode()


def test_a_concurrent_archive_is_not_a_conflict_for_a_rename(admin_http: Any) -> None:
    SandboxCategory.objects.filter(pk=SandboxCategory.find(DESIGN).pk).update(is_archived=True)

    response = save(admin_http, "Product design")

    assert response.status_code == 200
    assert stored() == ("Product design", "purple")


def test_without_javascript_the_conflict_is_a_page_with_plain_forms(admin_http: Any) -> None:
    someone_else_changes_design()

    response = save(admin_http, "Product design", with_htmx=False)

    html = response.content.decode()
    assert response.status_code == 409
    assert "<h1>Edit “Design”</h1>" in html
    assert f'<form method="post" action="{UPDATE}" class="inline-form">' in html  # no hx-post
    assert f'id="conflict-{DESIGN}-theirs" href="/">Keep theirs</a>' in html


def test_the_service_raises_a_typed_conflict_with_all_three_versions(
    category_admin: Any, seeded_sandbox: None
) -> None:
    someone_else_changes_design("Design team")
    opened = Category(gid=DESIGN, name="Design", color="purple")

    with pytest.raises(services.EditConflict) as raised:
        services.category_update(
            actor=category_admin,
            workspace_gid=NORTHWIND,
            gid=DESIGN,
            expected=opened,
            name="Product design",
            color="purple",
        )

    conflict = raised.value
    assert (conflict.mine.name, conflict.theirs.name, conflict.original.name) == (
        "Product design",
        "Design team",
        "Design",
    )


# --- a category deleted between the list and the action -----------------------------------


def test_saving_a_category_deleted_meanwhile_keeps_the_input_and_links_back(
    admin_http: Any,
) -> None:
    SandboxCategory.find(DESIGN).delete()

    response = save(admin_http, "Product design")

    html = response.content.decode()
    assert response.status_code == 404
    assert "no longer exists" in html
    assert 'value="Product design"' in html
    assert '<a href="/">Back to the categories</a>' in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "edit/"),
        ("GET", "row/"),
        ("GET", "confirm-delete/"),
        ("POST", "archive/"),
        ("POST", "unarchive/"),
        ("POST", "delete/"),
    ],
)
def test_acting_on_a_deleted_category_says_so_and_replaces_its_stale_row(
    admin_http: Any, method: str, path: str
) -> None:
    url = f"/categories/{MISSING}/{path}"

    response = admin_http.get(url, **htmx()) if method == "GET" else admin_http.post(url, **htmx())

    html = response.content.decode()
    assert response.status_code == 404
    assert response["HX-Retarget"] == "#problems"
    assert "This category no longer exists in Asana" in html
    assert '<a href="/">Back to the categories</a>' in html
    assert f'<tr id="category-{MISSING}" class="gone-row" hx-swap-oob="true">' in html


@pytest.mark.parametrize("path", ["edit/", "confirm-delete/"])
def test_without_javascript_a_deleted_category_is_a_404_page_with_a_link_back(
    admin_http: Any, path: str
) -> None:
    response = admin_http.get(f"/categories/{MISSING}/{path}")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<html" in html
    assert '<a href="/">Back to the categories</a>' in html
    assert "gone-row" not in html
