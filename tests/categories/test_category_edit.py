"""Editing in place: the row becomes a form and back; renames and recolours."""

from __future__ import annotations

import pytest

from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory
from tests.support.screens import category_gid, htmx

pytestmark = pytest.mark.django_db

MISSING = "1209000000999999"


def test_edit_without_javascript_is_a_page_with_the_current_values(admin_http):
    gid = category_gid("Design")

    response = admin_http.get(f"/categories/{gid}/edit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Edit “Design”</h1>" in html
    assert f'id="edit-{gid}-name" name="name" value="Design"' in html
    assert 'value="purple" checked' in html


def test_edit_with_htmx_turns_the_row_into_a_form_with_focus_on_the_name(admin_http):
    gid = category_gid("Design")

    html = admin_http.get(f"/categories/{gid}/edit/?state=all", **htmx()).content.decode()

    assert html.lstrip().startswith(f'<tr id="category-{gid}" class="category-row editing">')
    assert "data-edit-form" in html
    assert " autofocus" in html
    assert f'hx-get="/categories/{gid}/row/?state=all"' in html  # Cancel / Escape
    assert '<input type="hidden" name="state" value="all">' in html


def test_cancel_swaps_the_plain_row_back_with_focus_on_edit(admin_http):
    gid = category_gid("Design")

    html = admin_http.get(f"/categories/{gid}/row/", **htmx()).content.decode()

    assert html.lstrip().startswith(f'<tr id="category-{gid}" class="category-row">')
    assert f'id="category-{gid}-edit"' in html
    assert "autofocus" in html


def test_row_url_without_htmx_goes_back_to_the_list(admin_http):
    gid = category_gid("Design")

    response = admin_http.get(f"/categories/{gid}/row/?state=archived")

    assert response.status_code == 302
    assert response["Location"] == "/?state=archived"


def test_rename_without_javascript_redirects_to_the_same_tab_with_a_message(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(
        f"/categories/{gid}/update/",
        {"name": "Product design", "color": "purple", "state": "all"},
        follow=True,
    )

    assert response.redirect_chain == [("/?state=all", 302)]
    assert "Renamed “Design” to “Product design”." in response.content.decode()
    assert SandboxCategory.find(gid).name == "Product design"


def test_rename_with_htmx_returns_the_updated_row_and_a_message(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(
        f"/categories/{gid}/update/", {"name": "Product design", "color": "purple"}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="category-{gid}" class="category-row">')
    assert ">Product design</a>" in html
    assert "Renamed “Design” to “Product design”." in html
    assert '<div id="messages" hx-swap-oob="innerHTML">' in html


def test_recolour_sends_only_the_colour_to_asana(admin_http, asana_calls):
    gid = category_gid("Design")

    html = admin_http.post(
        f"/categories/{gid}/update/", {"name": "Design", "color": "indigo"}, **htmx()
    ).content.decode()

    (put,) = asana_calls.to(f"/time_tracking_categories/{gid}", "PUT")
    assert put.json == {"data": {"color": "indigo"}}
    assert "Changed the colour of “Design” to Indigo." in html
    assert 'class="swatch swatch-indigo"' in html


def test_rename_and_recolour_together_are_one_update(admin_http, asana_calls):
    gid = category_gid("Design")

    admin_http.post(f"/categories/{gid}/update/", {"name": "UX", "color": "red"})

    (put,) = asana_calls.to(f"/time_tracking_categories/{gid}", "PUT")
    assert put.json == {"data": {"name": "UX", "color": "red"}}


def test_saving_unchanged_values_sends_no_update(admin_http, asana_calls):
    gid = category_gid("Design")

    html = admin_http.post(
        f"/categories/{gid}/update/", {"name": " Design ", "color": "purple"}, **htmx()
    ).content.decode()

    assert asana_calls.to("/time_tracking_categories", "PUT") == []
    assert "Nothing to save" in html


def test_invalid_edit_keeps_the_input_and_shows_the_error_next_to_the_field(
    admin_http, asana_calls
):
    gid = category_gid("Design")

    response = admin_http.post(
        f"/categories/{gid}/update/", {"name": "", "color": "pink"}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert (
        f'<small id="edit-{gid}-name-error" class="field-error">Give the category a name.' in html
    )
    assert 'value="pink" checked' in html
    assert asana_calls.category_calls() == []  # not even a read


def test_rename_to_a_name_already_taken_shows_asanas_message_at_the_name(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(
        f"/categories/{gid}/update/", {"name": "Engineering", "color": "purple"}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert f'<small id="edit-{gid}-name-error" class="field-error">Asana says: ' in html
    assert 'value="Engineering"' in html
    assert SandboxCategory.find(gid).name == "Design"


def test_rate_limit_while_saving_keeps_the_input_and_says_when_to_retry(admin_http):
    gid = category_gid("Design")
    inject_fault(kind="status", status=429, retry_after=60, method="PUT")

    response = admin_http.post(
        f"/categories/{gid}/update/", {"name": "UX", "color": "purple"}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert "try again in 60 s" in html
    assert 'value="UX"' in html


def test_opening_the_edit_form_of_a_deleted_category_says_it_no_longer_exists(admin_http):
    response = admin_http.get(f"/categories/{MISSING}/edit/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "no longer exists" in html
    assert '<a href="/">Back to the categories</a>' in html


def test_saving_a_category_deleted_meanwhile_keeps_the_input_and_links_back(admin_http):
    response = admin_http.post(
        f"/categories/{MISSING}/update/", {"name": "Ghost", "color": "red"}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert "no longer exists" in html
    assert 'value="Ghost"' in html
    assert "Back to the categories" in html


def test_gid_that_is_not_digits_never_reaches_a_view_or_asana(admin_http, asana_calls):
    response = admin_http.get("/categories/12ab/edit/")

    assert response.status_code == 404
    assert asana_calls.category_calls() == []


def test_reviewer_may_not_edit(reviewer_http):
    gid = category_gid("Design")

    assert reviewer_http.get(f"/categories/{gid}/edit/").status_code == 403
    response = reviewer_http.post(f"/categories/{gid}/update/", {"name": "X", "color": "red"})
    assert response.status_code == 403
    assert SandboxCategory.find(gid).name == "Design"


def test_update_answers_only_posts(admin_http):
    assert admin_http.get(f"/categories/{category_gid('Design')}/update/").status_code == 405
