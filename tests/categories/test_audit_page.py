"""The audit log page (/audit/, Category admins) and the read-only audit log in /admin/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from categories.models import AuditEntry
from categories.views import AUDIT_PAGE_SIZE

pytestmark = pytest.mark.django_db


def log(**fields: Any) -> AuditEntry:
    when = fields.pop("when", None)
    defaults = {
        "actor_username": "alice",
        "action": "rename",
        "category_gid": "1209000000000001",
        "category_name": "Engineering",
        "before": {"name": "Engineering"},
        "after": {"name": "Platform"},
        "outcome": "succeeded",
    }
    entry = AuditEntry.objects.create(**{**defaults, **fields})
    if when:
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def rows(response: Any) -> list[AuditEntry]:
    return list(response.context["page"].object_list)


@pytest.fixture
def audit_http(client: Client, category_admin: Any) -> Client:
    client.force_login(category_admin)
    return client


def test_the_page_shows_who_did_what_before_and_after_and_asanas_answer(
    audit_http: Client,
) -> None:
    log(outcome="failed", error_message="Forbidden: not a workspace admin")
    html = audit_http.get("/audit/").content.decode()
    for text in ("alice", "Renamed", "Engineering", "1209000000000001", "Platform"):
        assert text in html
    assert "<del>Engineering</del>" in html
    assert "<ins>Platform</ins>" in html
    assert "Refused or failed" in html
    assert "Forbidden: not a workspace admin" in html


def test_entries_are_newest_first(audit_http: Client) -> None:
    now = timezone.now()
    old = log(category_name="Old", when=now - dt.timedelta(days=2))
    new = log(category_name="New", when=now)
    assert rows(audit_http.get("/audit/")) == [new, old]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "delete"}, ["deleted"]),
        ({"outcome": "failed"}, ["refused"]),
        ({"user": "bob"}, ["by bob"]),
        ({"category": "MARKET"}, ["marketing"]),
        ({"category": "1209000000000077"}, ["by gid"]),
    ],
)
def test_each_filter_narrows_the_log(
    audit_http: Client, query: dict[str, str], expected: list[str]
) -> None:
    log(category_name="plain")
    log(category_name="deleted", action="delete")
    log(category_name="refused", outcome="failed", error_message="No")
    log(category_name="by bob", actor_username="bob")
    log(category_name="marketing")
    log(category_name="by gid", category_gid="1209000000000077")
    found = [entry.category_name for entry in rows(audit_http.get("/audit/", query))]
    assert found == expected


def test_the_date_range_includes_both_ends(audit_http: Client) -> None:
    def at(day: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime(2025, 6, day, 12))

    for day in (9, 10, 11, 12):
        log(category_name=f"day {day}", when=at(day))
    response = audit_http.get("/audit/", {"since": "2025-06-10", "until": "2025-06-11"})
    assert [e.category_name for e in rows(response)] == ["day 11", "day 10"]


def test_a_backwards_date_range_is_reported_and_the_other_filters_still_apply(
    audit_http: Client,
) -> None:
    log(category_name="kept", action="delete")
    log(category_name="other")
    response = audit_http.get(
        "/audit/", {"action": "delete", "since": "2025-06-11", "until": "2025-06-10"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert [e.category_name for e in rows(response)] == ["kept"]


def test_pages_keep_the_filters_in_their_links(audit_http: Client) -> None:
    for number in range(AUDIT_PAGE_SIZE + 3):
        log(category_name=f"entry {number}", action="delete")
    log(category_name="not a delete")
    first = audit_http.get("/audit/", {"action": "delete"})
    assert len(rows(first)) == AUDIT_PAGE_SIZE
    assert 'href="?action=delete&amp;page=2"' in first.content.decode()
    second = audit_http.get("/audit/", {"action": "delete", "page": "2"})
    assert len(rows(second)) == 3


def test_names_and_messages_with_markup_are_shown_as_text(audit_http: Client) -> None:
    log(
        actor_username='<b id="who">mallory</b>',
        category_name='<img src=x id="cat">',
        before={"name": "<script>alert(1)</script>"},
        after={"name": '"><svg onload=alert(2)>'},
        outcome="failed",
        error_message="<iframe src=//evil.example></iframe>",
    )
    html = audit_http.get("/audit/").content.decode()
    for markup in ('<b id="who">', '<img src=x id="cat">', "<script>alert(1)", "<svg", "<iframe"):
        assert markup not in html
    assert "&lt;img src=x id=&quot;cat&quot;&gt;" in html
    assert "&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;" in html


def test_the_nav_links_to_the_audit_log_only_for_those_who_may_see_it(
    client: Client, category_admin: Any, time_reviewer: Any, seeded_sandbox: None
) -> None:
    client.force_login(category_admin)
    assert 'href="/audit/"' in client.get("/audit/").content.decode()
    client.force_login(time_reviewer)
    # The reviewer's own 403 page still has the navigation, without the link.
    response = client.get("/audit/")
    assert response.status_code == 403
    assert 'href="/audit/"' not in response.content.decode()


# --- Django's admin -----------------------------------------------------------------------


@pytest.fixture
def staff_admin(category_admin: Any) -> Any:
    """A Category admin who may use /admin/: the role grants viewing the audit log there."""
    category_admin.is_staff = True
    category_admin.save()
    return category_admin


def test_staff_category_admins_can_read_the_log_in_the_admin(
    client: Client, staff_admin: Any
) -> None:
    entry = log()
    client.force_login(staff_admin)
    assert client.get("/admin/categories/auditentry/").status_code == 200
    assert client.get(f"/admin/categories/auditentry/{entry.pk}/change/").status_code == 200


@pytest.mark.parametrize("who", ["staff_admin", "superuser"])
def test_nobody_can_add_change_or_delete_log_entries_in_the_admin(
    client: Client, request: pytest.FixtureRequest, who: str
) -> None:
    entry = log()
    client.force_login(request.getfixturevalue(who))
    base = "/admin/categories/auditentry/"
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"actor_username": "x"}).status_code == 403
    response = client.post(f"{base}{entry.pk}/change/", {"category_name": "Rewritten"})
    assert response.status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    client.post(base, bulk)
    entry.refresh_from_db()
    assert entry.category_name == "Engineering"


def test_people_signed_in_with_asana_are_shown_and_filtered_by_name(
    audit_http: Client, django_user_model: Any
) -> None:
    priya = django_user_model.objects.create(
        username="asana-1202000000000002", first_name="Priya Raman"
    )
    log(actor=priya, actor_username=priya.username)
    log(actor_username="alice")

    page = audit_http.get("/audit/").content.decode()

    assert "<td>Priya Raman</td>" in page
    assert '<option value="asana-1202000000000002">Priya Raman</option>' in page
    filtered = audit_http.get("/audit/?user=asana-1202000000000002")
    assert [entry.actor_username for entry in rows(filtered)] == ["asana-1202000000000002"]
