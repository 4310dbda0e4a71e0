"""Creating a category: inline with HTMX, or a plain form post; errors keep the input."""

from __future__ import annotations

import re

import pytest

from categories.asana import CATEGORY_NAME_MAX_LENGTH
from categories.models import AuditEntry
from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db


def name_error(html: str) -> str:
    match = re.search(r'<small id="new-name-error" class="field-error">(.*?)</small>', html, re.S)
    return match.group(1) if match else ""


def test_new_category_page_shows_the_form_without_javascript(admin_http):
    response = admin_http.get("/categories/new/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="new-name">Name</label>' in html
    assert html.count('type="radio" name="color"') == 16
    assert 'value="none" checked' in html


def test_colour_picker_names_every_one_of_the_sixteen_colours(admin_http):
    html = admin_http.get("/categories/new/").content.decode()

    for label in ("No colour", "Yellow orange", "Hot pink", "Cool gray", "Blue green"):
        assert f'<span class="color-option-name">{label}</span>' in html


def test_create_without_javascript_redirects_to_the_list_with_a_message(admin_http):
    response = admin_http.post(
        "/categories/create/", {"name": "Onboarding", "color": "green"}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "Created “Onboarding” (Green)." in html
    assert SandboxCategory.objects.filter(name="Onboarding", color="green").exists()


def test_create_with_htmx_returns_a_fresh_form_the_new_row_and_a_message(admin_http):
    response = admin_http.post(
        "/categories/create/", {"name": "Onboarding", "color": "green"}, **htmx("create-form")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="create-form"')
    assert 'id="new-name" name="name" value=""' in html  # ready for the next one
    assert '<tbody hx-swap-oob="afterbegin:#category-rows">' in html
    gid = SandboxCategory.objects.get(name="Onboarding").gid
    assert f'<tr id="category-{gid}" class="category-row row-highlight' in html
    assert '<div id="messages" hx-swap-oob="innerHTML">' in html
    assert "Created “Onboarding” (Green)." in html


def test_new_row_is_not_added_to_a_tab_it_does_not_belong_to(admin_http):
    response = admin_http.post(
        "/categories/create/",
        {"name": "Onboarding", "color": "green", "state": "archived"},
        **htmx("create-form"),
    )

    html = response.content.decode()
    assert "Created “Onboarding”" in html
    assert 'hx-swap-oob="afterbegin:#category-rows"' not in html


def test_new_row_is_not_added_when_it_does_not_match_the_search(admin_http):
    html = admin_http.post(
        "/categories/create/",
        {"name": "Onboarding", "color": "green", "q": "design"},
        **htmx("create-form"),
    ).content.decode()

    assert "afterbegin:#category-rows" not in html


def test_name_is_trimmed_before_it_is_sent_to_asana(admin_http, asana_calls):
    admin_http.post("/categories/create/", {"name": "   Onboarding  ", "color": "none"})

    (post,) = asana_calls.to("/time_tracking_categories", "POST")
    assert post.json["data"]["name"] == "Onboarding"


def test_blank_name_is_refused_next_to_the_field_without_asking_asana(admin_http, asana_calls):
    response = admin_http.post(
        "/categories/create/", {"name": "   ", "color": "red"}, **htmx("create-form")
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert name_error(html) == "Give the category a name."
    assert 'aria-invalid="true" aria-describedby="new-name-error"' in html
    assert 'value="red" checked' in html  # the colour chosen is kept
    assert asana_calls.to("/time_tracking_categories", "POST") == []


def test_too_long_name_is_refused_and_the_input_is_kept(admin_http, asana_calls):
    too_long = "x" * (CATEGORY_NAME_MAX_LENGTH + 1)

    response = admin_http.post("/categories/create/", {"name": too_long, "color": "red"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "Use at most 100 characters (this has 101)." in name_error(html)
    assert f'value="{too_long}"' in html
    assert asana_calls.to("/time_tracking_categories", "POST") == []


def test_colour_outside_asanas_sixteen_is_refused(admin_http, asana_calls):
    response = admin_http.post("/categories/create/", {"name": "Plaid", "color": "plaid"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose one of Asana&#x27;s 16 colours." in html
    assert 'value="Plaid"' in html
    assert asana_calls.to("/time_tracking_categories", "POST") == []


def test_duplicate_name_shows_asanas_own_message_at_the_name_field(admin_http):
    response = admin_http.post(
        "/categories/create/", {"name": "design", "color": "blue"}, **htmx("create-form")
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert name_error(html).startswith("Asana says: ")
    assert 'value="design"' in html
    assert 'value="blue" checked' in html
    assert SandboxCategory.objects.filter(name__iexact="design").count() == 1


def test_asana_outage_while_creating_keeps_the_input_and_says_nothing_was_created(admin_http):
    inject_fault(kind="status", status=503, method="POST", path_pattern="time_tracking_categories")

    response = admin_http.post(
        "/categories/create/", {"name": "Onboarding", "color": "aqua"}, **htmx("create-form")
    )

    html = response.content.decode()
    assert response.status_code == 503
    # Asana's 503 may still have created it: the list was checked, and it is not there.
    assert "Nothing was created" in html
    assert 'value="Onboarding"' in html
    assert 'value="aqua" checked' in html
    assert not SandboxCategory.objects.filter(name="Onboarding").exists()


def test_asana_refusing_the_change_without_javascript_renders_the_form_page(admin_http):
    inject_fault(kind="status", status=403, method="POST", path_pattern="time_tracking_categories")

    response = admin_http.post("/categories/create/", {"name": "Onboarding", "color": "aqua"})

    html = response.content.decode()
    assert response.status_code == 403
    assert "<html" in html
    assert "must be a workspace admin" in html
    assert 'value="Onboarding"' in html


def test_created_category_is_in_the_audit_log(admin_http, category_admin):
    admin_http.post("/categories/create/", {"name": "Onboarding", "color": "aqua"})

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE)
    assert entry.actor == category_admin
    assert entry.outcome == AuditEntry.Outcome.SUCCEEDED


def test_reviewer_may_not_create(reviewer_http):
    response = reviewer_http.post("/categories/create/", {"name": "Sneaky", "color": "red"})

    assert response.status_code == 403
    assert not SandboxCategory.objects.filter(name="Sneaky").exists()


def test_reviewer_may_not_open_the_new_category_page(reviewer_http):
    assert reviewer_http.get("/categories/new/").status_code == 403


def test_create_answers_only_posts(admin_http):
    assert admin_http.get("/categories/create/").status_code == 405


def test_each_colour_label_points_at_its_own_radio(admin_http):
    html = admin_http.get("/categories/new/").content.decode()

    pairs = re.findall(
        r'<label class="color-option" for="([^"]+)">\s*<input type="radio" '
        r'name="color" id="([^"]+)"',
        html,
    )
    assert len(pairs) == 16
    assert all(label_for == radio_id for label_for, radio_id in pairs)
    assert len({radio_id for _, radio_id in pairs}) == 16
