"""Delete: a confirmation that offers archiving instead, then the row is gone."""

from __future__ import annotations

import pytest

from categories.models import AuditEntry
from categories.sandbox.models import SandboxCategory
from tests.support.screens import category_gid, htmx

pytestmark = pytest.mark.django_db

MISSING = "1209000000999999"


def test_confirmation_names_the_category_and_explains_archive_versus_delete(admin_http):
    gid = category_gid("Design")

    response = admin_http.get(f"/categories/{gid}/confirm-delete/?state=all")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Delete “Design”?" in html
    assert "Archiving keeps its history." in html
    assert "Deleting removes it." in html
    assert f'action="/categories/{gid}/archive/"' in html
    assert "Archive instead" in html
    assert f'action="/categories/{gid}/delete/"' in html
    assert '<a href="/?state=all" role="button" class="secondary outline">Cancel</a>' in html


def test_confirmation_with_htmx_is_a_modal_dialog(admin_http):
    gid = category_gid("Design")

    html = admin_http.get(f"/categories/{gid}/confirm-delete/", **htmx()).content.decode()

    assert "<html" not in html
    assert '<dialog id="confirm-dialog" data-modal' in html
    assert '<form method="dialog"' in html  # Cancel closes it, no request
    assert 'id="confirm-archive" autofocus' in html  # the safer choice has focus


def test_confirmation_for_an_archived_category_offers_no_archive_instead(admin_http):
    gid = category_gid("Legacy migration")

    html = admin_http.get(f"/categories/{gid}/confirm-delete/").content.decode()

    assert "Archive instead" not in html
    assert "(archived)" in html


def test_delete_without_javascript_redirects_with_a_message_and_the_row_is_gone(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/delete/", {"state": "active"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "Deleted “Design”." in html
    assert f'id="category-{gid}"' not in html
    assert SandboxCategory.find(gid) is None


def test_delete_with_htmx_removes_the_row_closes_the_dialog_and_confirms(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/delete/", {"state": "active"}, **htmx())

    html = response.content.decode()
    assert response["HX-Reswap"] == "delete"
    assert "Deleted “Design”." in html
    assert '<div id="dialog-slot" hx-swap-oob="innerHTML"></div>' in html
    assert SandboxCategory.find(gid) is None


def test_archive_instead_from_the_dialog_archives_and_closes_it(admin_http):
    gid = category_gid("Design")

    response = admin_http.post(f"/categories/{gid}/archive/", {"state": "active"}, **htmx())

    assert '<div id="dialog-slot" hx-swap-oob="innerHTML"></div>' in response.content.decode()
    assert SandboxCategory.find(gid).is_archived


def test_delete_is_audited_with_what_was_deleted(admin_http):
    gid = category_gid("Design")

    admin_http.post(f"/categories/{gid}/delete/")

    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    assert entry.category_name == "Design"
    assert entry.before["color"] == "purple"


def test_deleting_a_category_that_no_longer_exists_says_so(admin_http):
    response = admin_http.post(f"/categories/{MISSING}/delete/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "no longer exists" in html
    assert "Back to the categories" in html


def test_confirming_deletion_of_a_missing_category_says_so_with_htmx(admin_http):
    response = admin_http.get(f"/categories/{MISSING}/confirm-delete/", **htmx())

    assert response.status_code == 404
    assert response["HX-Retarget"] == "#problems"


def test_reviewer_may_not_delete(reviewer_http):
    gid = category_gid("Design")

    assert reviewer_http.get(f"/categories/{gid}/confirm-delete/").status_code == 403
    assert reviewer_http.post(f"/categories/{gid}/delete/").status_code == 403
    assert SandboxCategory.find(gid) is not None


def test_delete_answers_only_posts(admin_http):
    assert admin_http.get(f"/categories/{category_gid('Design')}/delete/").status_code == 405
