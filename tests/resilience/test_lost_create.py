"""A create whose answer was lost is settled in Asana's own list before anyone is told to
retry: confirmed if it is there (no duplicate), "nothing was created" if not, and "may or
may not" with where to look if even the list cannot be read. The input is never lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from categories import services
from categories.asana import AsanaClient, AsanaUnavailable, Category
from categories.models import AuditEntry
from categories.sandbox.faults import inject_fault
from categories.sandbox.models import SandboxCategory
from tests.support.call_log import CallLog
from tests.support.fake_asana import (
    BASE_URL,
    TRANSPORT_FAILURES,
    FakeAsana,
    asana_fixture,  # noqa: F401 - the `asana` fixture
    category_json,
    page_json,
)
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

NORTHWIND = "1201000000000001"
LIST = "/time_tracking_categories"
READ_TIMEOUT = next(f for f in TRANSPORT_FAILURES if f.name == "ReadTimeout")


def create(client: Any, name: str = "Hiring", color: str = "pink", **headers: str) -> Any:
    return client.post("/categories/create/", {"name": name, "color": color}, **headers)


def answer_lost_after_asana_created_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The POST reaches the sandbox (the category exists) but its answer never arrives,
    which is what a timeout after sending looks like (the sandbox's own timeout fault
    never runs the handler, so it cannot stage this)."""
    original: Callable[..., Category] = AsanaClient.create_category

    def created_then_timed_out(self: AsanaClient, **kwargs: Any) -> Category:
        original(self, **kwargs)
        raise AsanaUnavailable("Asana did not answer in time.", request_sent=True)

    monkeypatch.setattr(AsanaClient, "create_category", created_then_timed_out)


def test_create_that_times_out_after_asana_created_it_is_confirmed_not_duplicated(
    admin_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_lost_after_asana_created_it(monkeypatch)

    response = create(admin_http, **htmx("create-form"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Created “Hiring” (Pink)." in html
    assert "Asana&#x27;s answer was lost on the way, so the dashboard checked: it is there." in html
    assert '<tbody hx-swap-oob="afterbegin:#category-rows">' in html  # the new row
    assert 'id="new-name" name="name" value=""' in html  # a fresh form: nothing to retry
    assert SandboxCategory.objects.filter(name="Hiring").count() == 1


def test_a_confirmed_lost_create_is_audited_as_succeeded_with_its_gid(
    admin_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_lost_after_asana_created_it(monkeypatch)

    create(admin_http)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE)
    assert entry.outcome == AuditEntry.Outcome.SUCCEEDED
    assert entry.category_gid == SandboxCategory.objects.get(name="Hiring").gid
    assert entry.after == {"name": "Hiring", "color": "pink", "is_archived": False}


def test_a_lost_create_is_found_whatever_the_case_and_spaces_asana_stored(
    category_admin: Any, seeded_sandbox: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    SandboxCategory.objects.filter(name="Design").update(name="  HIRING ", color="pink")
    monkeypatch.setattr(AsanaClient, "create_category", _never_answers)

    created = services.category_create(
        actor=category_admin, workspace_gid=NORTHWIND, name="Hiring", color="pink"
    )

    assert isinstance(created, services.RecoveredCategory)
    assert created.gid == "1209000000000002"


def _never_answers(self: AsanaClient, **kwargs: Any) -> Category:
    raise AsanaUnavailable("Asana did not answer in time.", request_sent=True)


def test_create_that_times_out_before_asana_created_it_says_nothing_was_created_and_keeps_input(
    admin_http: Any,
) -> None:
    inject_fault(kind="timeout", method="POST", latency_ms=1, times=1)

    response = create(admin_http, **htmx("create-form"))

    html = response.content.decode()
    assert response.status_code == 503
    assert "Nothing was created" in html
    assert "Try again." in html
    assert 'value="Hiring"' in html
    assert 'value="pink" checked' in html
    assert not SandboxCategory.objects.filter(name="Hiring").exists()


def test_trying_again_after_nothing_was_created_makes_exactly_one(admin_http: Any) -> None:
    inject_fault(kind="timeout", method="POST", latency_ms=1, times=1)
    assert create(admin_http, **htmx("create-form")).status_code == 503

    response = create(admin_http, **htmx("create-form"))

    assert response.status_code == 200
    assert SandboxCategory.objects.filter(name="Hiring").count() == 1


def test_a_category_of_that_name_in_another_colour_is_not_taken_for_the_lost_create(
    admin_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Design" (purple) existed before: Asana refused the create, and that answer was lost.
    monkeypatch.setattr(AsanaClient, "create_category", _never_answers)

    response = create(admin_http, name="design", color="green", **htmx("create-form"))

    html = response.content.decode()
    assert response.status_code == 503
    assert "Nothing was created" in html
    assert 'value="design"' in html


def test_create_whose_confirmation_lookup_fails_says_it_may_exist_and_where_to_check(
    admin_http: Any,
) -> None:
    inject_fault(kind="timeout", method="POST", latency_ms=1, times=1)
    inject_fault(kind="status", status=503, method="GET", path_pattern="time_tracking_categories")

    response = create(admin_http, name="Hiring & <co>", **htmx("create-form"))

    html = response.content.decode()
    assert response.status_code == 503
    assert "may or may not have been created" in html
    assert '<a href="/?state=all&amp;q=Hiring+%26+%3Cco%3E">Look for it in the list</a>' in html
    assert 'value="Hiring &amp; &lt;co&gt;"' in html


def test_an_unsettled_create_is_audited_as_unknown(admin_http: Any) -> None:
    inject_fault(kind="timeout", method="POST", latency_ms=1, times=1)
    inject_fault(kind="status", status=503, method="GET", path_pattern="time_tracking_categories")

    create(admin_http)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE)
    assert entry.outcome == AuditEntry.Outcome.UNKNOWN
    assert entry.error_message == "Asana did not answer in time."


def test_create_that_never_reached_asana_is_not_looked_up(
    admin_http: Any, asana_log: CallLog
) -> None:
    inject_fault(kind="connection_refused", method="POST")

    response = create(admin_http, **htmx("create-form"))

    html = response.content.decode()
    assert response.status_code == 503
    assert "The request never reached Asana, so nothing was changed." in html
    assert 'value="Hiring"' in html
    assert asana_log.to(LIST, "GET") == []


def test_create_without_javascript_keeps_the_input_on_a_page_of_its_own(admin_http: Any) -> None:
    inject_fault(kind="timeout", method="POST", latency_ms=1, times=1)

    response = create(admin_http)

    html = response.content.decode()
    assert response.status_code == 503
    assert "<h1>New category</h1>" in html
    assert 'value="Hiring"' in html


def test_a_failing_workspace_lookup_keeps_the_typed_input_too(admin_http: Any) -> None:
    inject_fault(kind="status", status=503, path_pattern="users/me|workspaces")

    response = create(admin_http, **htmx("create-form"))

    assert response.status_code == 503
    assert 'value="Hiring"' in response.content.decode()


# --- the same through `responses`: a real HTTP timeout after Asana created it -----------


def test_a_read_timeout_after_sending_is_settled_by_one_list_look_up_and_never_resent(
    asana: FakeAsana, category_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asana.fail("POST", LIST, READ_TIMEOUT.make())
    hiring = category_json("1201000000000777", "Hiring", "pink", is_archived=False)
    asana.mock.add("GET", BASE_URL + LIST, json=page_json([category_json(), hiring]))
    monkeypatch.setattr(services, "asana_client", lambda: asana.client)

    created = services.category_create(
        actor=category_admin, workspace_gid=NORTHWIND, name="Hiring", color="pink"
    )

    assert isinstance(created, services.RecoveredCategory)
    assert (created.gid, created.name, created.is_archived) == ("1201000000000777", "Hiring", False)
    methods = [request.method for request in asana.sent]
    assert methods == ["POST", "GET"]  # one create, one look at the active list


def test_a_read_timeout_with_nothing_in_either_list_raises_lost_create_not_found(
    asana: FakeAsana, category_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asana.fail("POST", LIST, READ_TIMEOUT.make())
    asana.mock.add("GET", BASE_URL + LIST, json=page_json([category_json()]))
    monkeypatch.setattr(services, "asana_client", lambda: asana.client)

    with pytest.raises(services.LostCreateNotFound) as raised:
        services.category_create(
            actor=category_admin, workspace_gid=NORTHWIND, name="Hiring", color="pink"
        )

    assert raised.value.message == "Asana did not answer in time."
    archived_flags = [
        request.url.split("is_archived=")[1][:4]
        for request in asana.sent
        if request.method == "GET"
    ]
    assert archived_flags == ["fals", "true"]  # both lists: an archived one counts too
    assert [r.method for r in asana.sent].count("POST") == 1


def test_a_malformed_answer_to_a_create_is_settled_the_same_way(
    asana: FakeAsana, category_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asana.reply("POST", LIST, body="<html>proxy error</html>", status=201)
    hiring = category_json("1201000000000777", "Hiring", "pink", is_archived=True)
    asana.mock.add("GET", BASE_URL + LIST, json=page_json([]))
    asana.mock.add("GET", BASE_URL + LIST, json=page_json([hiring]))
    monkeypatch.setattr(services, "asana_client", lambda: asana.client)

    created = services.category_create(
        actor=category_admin, workspace_gid=NORTHWIND, name="Hiring", color="pink"
    )

    assert isinstance(created, services.RecoveredCategory)
    assert created.is_archived is True
    assert json.loads(asana.sent[0].body or b"{}")["data"]["name"] == "Hiring"


def test_the_look_up_failing_raises_lost_create_unverified(
    asana: FakeAsana, category_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asana.fail("POST", LIST, READ_TIMEOUT.make())
    asana.fail("GET", LIST, requests.ConnectionError("Connection reset"))
    monkeypatch.setattr(services, "asana_client", lambda: asana.client)

    with pytest.raises(services.LostCreateUnverified):
        services.category_create(
            actor=category_admin, workspace_gid=NORTHWIND, name="Hiring", color="pink"
        )
