"""The project's real AsanaClient against the sandbox: the demo mode code path, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaClient,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
    RetryPolicy,
)
from categories.sandbox.adapter import SANDBOX_BASE_URL
from categories.sandbox.faults import inject_fault
from tests.support.sandbox import ACME, ALEX, ENGINEERING, NORTHWIND, sandbox_session


def client(*, token: str = "demo-token", retries: int = 0) -> AsanaClient:  # noqa: S107
    policy = RetryPolicy(max_retries=retries, backoff_base=0.001, backoff_cap=0.001)
    return AsanaClient(
        base_url=SANDBOX_BASE_URL,
        token=token,
        timeout=2,
        retry_policy=policy,
        session=sandbox_session(token=None),
        sleep=lambda _seconds: None,
    )


def test_the_client_reads_who_it_is_and_its_workspaces(demo: None) -> None:
    asana = client()

    assert asana.me().gid == ALEX
    assert [w.gid for w in asana.iter_workspaces()] == [NORTHWIND, ACME]


def test_the_client_lists_active_and_archived_categories_across_pages(demo: None) -> None:
    asana = client()

    active = list(asana.iter_categories(workspace_gid=ACME))
    archived = list(asana.iter_categories(workspace_gid=ACME, archived=True))

    assert (len(active), len(archived)) == (131, 6)
    assert {c.is_archived for c in active} == {False}
    assert {c.is_archived for c in archived} == {True}


def test_the_client_reads_a_categorys_entries_in_a_range(demo: None) -> None:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)

    entries = list(client().iter_category_entries(ENGINEERING, start_date=start, end_date=end))

    assert entries
    assert all(start <= e.entered_on <= end for e in entries)
    assert all(ENGINEERING in [c.gid for c in e.categories] for e in entries)
    assert all(e.created_by and e.created_by.name for e in entries)


def test_the_client_creates_renames_archives_and_deletes(demo: None) -> None:
    asana = client()

    created = asana.create_category(workspace_gid=NORTHWIND, name="Hiring", color="pink")
    renamed = asana.update_category(created.gid, name="Hiring & onboarding")
    archived = asana.update_category(created.gid, is_archived=True)
    asana.delete_category(created.gid)

    assert (renamed.name, renamed.color) == ("Hiring & onboarding", "pink")
    assert archived.is_archived is True
    with pytest.raises(AsanaNotFound):
        asana.get_category(created.gid)


def test_the_client_sees_a_duplicate_name_as_a_bad_request_about_name(demo: None) -> None:
    with pytest.raises(AsanaBadRequest) as raised:
        client().create_category(workspace_gid=NORTHWIND, name="engineering")

    assert raised.value.field == "name"


def test_the_client_sees_an_invalid_token_as_an_auth_error(demo: None) -> None:
    with pytest.raises(AsanaAuthError):
        client(token="invalid-token").me()


def test_the_client_retries_a_server_error_and_then_succeeds(demo: None) -> None:
    inject_fault(kind="status", status=503, times=2)

    assert client(retries=3).me().gid == ALEX


def test_the_client_reports_rate_limiting_with_the_wait(demo: None) -> None:
    inject_fault(kind="status", status=429, retry_after=30)

    with pytest.raises(AsanaRateLimited) as raised:
        client(retries=3).me()

    assert raised.value.retry_after == 30


@pytest.mark.parametrize(
    ("kind", "request_sent"), [("timeout", True), ("connection_refused", False)]
)
def test_the_client_tells_a_lost_answer_from_a_request_never_sent(
    demo: None, kind: str, request_sent: bool
) -> None:
    inject_fault(kind=kind, method="POST")

    with pytest.raises(AsanaUnavailable) as raised:
        client().create_category(workspace_gid=NORTHWIND, name="Hiring")

    assert raised.value.request_sent is request_sent


def test_the_client_treats_a_malformed_answer_as_unavailable(demo: None) -> None:
    inject_fault(kind="malformed")

    with pytest.raises(AsanaUnavailable):
        client().me()
