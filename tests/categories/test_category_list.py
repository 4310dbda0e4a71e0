"""The categories screen: tabs, search, every page of Asana's answer, HTMX and plain paths."""

from __future__ import annotations

import re

import pytest

from categories.sandbox.faults import inject_fault
from tests.support.screens import category_gid, htmx, use_workspace

pytestmark = pytest.mark.django_db


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="category-(\d+)" class="category-row', html)


def test_active_tab_lists_active_categories_with_swatch_colour_name_and_state(admin_http):
    response = admin_http.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Engineering" in html
    assert 'class="swatch swatch-blue"' in html
    assert '<span class="color-name">Blue</span>' in html  # never colour alone
    assert '<span class="state state-active">Active</span>' in html
    assert "Legacy migration" not in html  # archived
    assert len(row_ids(html)) == 11


def test_archived_tab_lists_only_archived_categories(admin_http):
    html = admin_http.get("/?state=archived").content.decode()

    assert len(row_ids(html)) == 4
    assert "Legacy migration" in html
    assert "Engineering" not in html
    assert "Active</span>" not in html


def test_all_tab_lists_active_and_archived_categories(admin_http):
    html = admin_http.get("/?state=all").content.decode()

    assert len(row_ids(html)) == 15
    assert "Legacy migration" in html
    assert "Engineering" in html


def test_current_tab_is_marked_and_tabs_keep_the_search_in_their_urls(admin_http):
    html = admin_http.get("/?state=archived&q=mig").content.decode()

    assert re.search(r'id="tab-archived"[^>]*aria-current="page"', html)
    assert 'href="/?q=mig"' in html  # the Active tab, search kept
    assert 'href="/?state=all&amp;q=mig"' in html


def test_unknown_state_falls_back_to_the_active_tab(admin_http):
    html = admin_http.get("/?state=deleted").content.decode()

    assert len(row_ids(html)) == 11
    assert re.search(r'id="tab-active"[^>]*aria-current="page"', html)


def test_search_filters_by_part_of_the_name_ignoring_case(admin_http):
    html = admin_http.get("/?state=all&q=ENGIN").content.decode()

    assert row_ids(html) == [category_gid("Engineering")]
    assert "matching “ENGIN”" in html


def test_search_without_a_match_explains_and_offers_to_clear_it(admin_http):
    html = admin_http.get("/?q=zzz").content.decode()

    assert row_ids(html) == []
    assert "No active category has “zzz” in its name." in html
    assert '<a href="/">Clear the search</a>' in html


def test_every_page_of_a_large_workspace_is_listed_not_just_the_first_hundred(
    admin_http, asana_calls
):
    use_workspace(admin_http, "Acme Consulting Group")

    html = admin_http.get("/").content.decode()

    assert len(row_ids(html)) == 131
    assert len(asana_calls.to("/time_tracking_categories", "GET")) == 2  # two pages of 100
    assert "<span data-count>131</span>" in html


def test_all_tab_of_a_large_workspace_shows_every_category(admin_http):
    use_workspace(admin_http, "Acme Consulting Group")

    html = admin_http.get("/?state=all").content.decode()

    assert len(row_ids(html)) == 137


def test_htmx_tab_change_swaps_only_the_panel_and_updates_the_search_form(admin_http):
    response = admin_http.get("/?state=archived", **htmx("category-panel"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="category-panel"')
    assert 'id="search-state" name="state" value="archived" hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_back_button_history_restore_gets_the_whole_page(admin_http):
    response = admin_http.get(
        "/?state=archived", **htmx("category-panel", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    )

    assert "<html" in response.content.decode()


def test_admin_sees_the_create_form_and_every_row_action(admin_http):
    html = admin_http.get("/").content.decode()

    assert 'id="create-form"' in html
    gid = category_gid("Design")
    assert f'href="/categories/{gid}/edit/"' in html
    assert f'action="/categories/{gid}/archive/"' in html
    assert f'href="/categories/{gid}/confirm-delete/"' in html


def test_reviewer_sees_categories_but_no_change_controls(reviewer_http):
    html = reviewer_http.get("/").content.decode()

    assert "Engineering" in html
    assert 'id="create-form"' not in html
    assert "/edit/" not in html
    assert "/archive/" not in html
    assert "/confirm-delete/" not in html
    assert f'href="/categories/{category_gid("Design")}/entries/"' in html


def test_anonymous_visitor_is_sent_to_sign_in(client, seeded_sandbox):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_names_are_shown_literally_never_as_markup(admin_http):
    html = admin_http.get("/?state=all").content.decode()

    assert "Offsite &lt;2023&gt; 🎉" in html
    assert "<2023>" not in html
    assert "1:1s &amp; &quot;coffee chats&quot; ☕" in html


def test_asana_refusing_the_list_becomes_a_readable_problem_page(admin_http):
    inject_fault(kind="status", status=403, method="GET", path_pattern="time_tracking_categories")

    response = admin_http.get("/")

    assert response.status_code == 403
    assert "Timesheets &amp; Budgets add-on" in response.content.decode()


def test_asana_refusing_a_tab_change_is_swapped_into_the_problems_region(admin_http):
    inject_fault(kind="status", status=403, method="GET", path_pattern="time_tracking_categories")

    response = admin_http.get("/?state=archived", **htmx("category-panel"))

    assert response.status_code == 403
    assert response["HX-Retarget"] == "#problems"
