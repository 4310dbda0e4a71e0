"""Archive and unarchive: one click, and the row moves to the tab where it now belongs."""

from __future__ import annotations

import json

import pytest

from categories.sandbox.models import SandboxCategory
from tests.support.screens import category_gid, htmx

pytestmark = pytest.mark.django_db

MISSING = "1209000000999999"


def test_archive_without_javascript_returns_to_the_same_tab_with_a_message(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/archive/", {"state": "active"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "Archived “Design”. It is now in the Archived tab." in html
    assert f'id="category-{gid}"' not in html
    assert SandboxCategory.find(gid).is_archived


def test_archived_category_leaves_the_active_tab_in_place(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/archive/", {"state": "active"}, **htmx())

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "delete"
    assert "dashboard:row-removed" in json.loads(response["HX-Trigger-After-Settle"])
    assert "Archived “Design”. It is now in the Archived tab." in html
    assert "<tr" not in html


def test_archived_category_moves_to_the_archived_tab(admin_http):
    gid = category_gid("Design")
    admin_http.post(f"/categories/{gid}/archive/", {"state": "active"}, **htmx())

    archived_tab = admin_http.get("/?state=archived").content.decode()
    active_tab = admin_http.get("/").content.decode()

    assert f'id="category-{gid}"' in archived_tab
    assert f'id="category-{gid}"' not in active_tab


def test_archiving_in_the_all_tab_updates_the_row_where_it_is(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/archive/", {"state": "all"}, **htmx())

    html = response.content.decode()
    assert "HX-Reswap" not in response
    assert f'<tr id="category-{gid}" class="category-row is-archived">' in html
    assert '<span class="state state-archived">Archived</span>' in html
    assert 'autofocus>Unarchive<span class="visually-hidden"> Design</span>' in html


def test_unarchived_category_returns_to_the_active_tab(admin_http):
    gid = category_gid("Legacy migration")

    response = admin_http.post(f"/categories/{gid}/unarchive/", {"state": "archived"}, **htmx())

    assert response["HX-Reswap"] == "delete"
    assert "Unarchived “Legacy migration”. It is back in the Active tab." in (
        response.content.decode()
    )
    assert f'id="category-{gid}"' in admin_http.get("/").content.decode()


def test_unarchive_without_javascript_keeps_the_search_in_the_redirect(admin_http):
    gid = category_gid("Legacy migration")

    response = admin_http.post(
        f"/categories/{gid}/unarchive/", {"state": "archived", "q": "legacy"}
    )

    assert response["Location"] == "/?state=archived&q=legacy"
    assert SandboxCategory.find(gid).is_archived is False


def test_archiving_a_category_deleted_meanwhile_shows_a_problem(admin_http):
    response = admin_http.post(f"/categories/{MISSING}/archive/", {}, **htmx())

    assert response.status_code == 404
    assert response["HX-Retarget"] == "#problems"
    assert "no longer exists" in response.content.decode()


def test_reviewer_may_not_archive_or_unarchive(reviewer_http):
    design, legacy = category_gid("Design"), category_gid("Legacy migration")

    assert reviewer_http.post(f"/categories/{design}/archive/").status_code == 403
    assert reviewer_http.post(f"/categories/{legacy}/unarchive/").status_code == 403
    assert not SandboxCategory.find(design).is_archived
    assert SandboxCategory.find(legacy).is_archived


def test_archive_answers_only_posts(admin_http):
    assert admin_http.get(f"/categories/{category_gid('Design')}/archive/").status_code == 405
