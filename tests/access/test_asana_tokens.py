"""People's Asana tokens stay secret: never in a page, a log line, the audit log or an error
report, and stored only encrypted (TOKEN_ENCRYPTION_KEYS); keys rotate without signing
anyone out, and a grant no key opens signs its person out instead of failing."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.views.debug import get_default_exception_reporter_filter

from categories.access.models import AsanaGrant
from categories.access.tokens import IssuedTokens, rotate_token_keys
from categories.models import AuditEntry
from categories.web.middleware import SIGN_IN_ENDED
from categories.web.people import forget_people, person_asana
from tests.support.asana_sign_in import LOGIN, PRIYA, sign_in_with_asana, stored_tokens

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def exposed(response: Any) -> str:
    """All a browser receives: headers, cookies, body."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return f"{headers}\n{response.cookies.output()}\n{body.decode(errors='replace')}"


def raw_grant_rows() -> str:
    """The grant table as the database holds it (what a backup or a breach shows)."""
    table = connection.ops.quote_name(AsanaGrant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a table name, not input
        rows = cursor.fetchall()
    assert rows
    return repr(rows)


def person_of(user_gid: str) -> Any:
    return get_user_model().objects.get(username=f"asana-{user_gid}")


def past_its_hour() -> None:
    """The stored access token expired; a new process holds the sign-in (no cached state)."""
    AsanaGrant.objects.update(access_expires_at=timezone.now() - dt.timedelta(minutes=1))
    forget_people()


# --- never shown ------------------------------------------------------------------------------

PAGES = ["/", "/overview/", "/team/", "/no-category/", "/audit/", "/jobs/", LOGIN]


def test_no_page_log_or_audit_record_holds_a_token_after_a_whole_sign_in(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    seen = [exposed(sign_in_with_asana(client, PRIYA))]
    seen += [exposed(client.get(path)) for path in PAGES]
    seen += [exposed(client.get(path, headers={"HX-Request": "true"})) for path in PAGES]
    seen.append(exposed(client.post("/categories/create/", {"name": "Calls", "color": "red"})))
    first_access, refresh = stored_tokens(PRIYA)
    past_its_hour()
    seen.append(exposed(client.get("/")))  # refreshed on the way
    second_access, _ = stored_tokens(PRIYA)
    tokens = [first_access, second_access, refresh]

    assert first_access != second_access
    assert AuditEntry.objects.filter(action="create").exists()  # the audit log was written
    audit = [f"{e.error_message} {e.before} {e.after}" for e in AuditEntry.objects.all()]
    for token in tokens:
        assert not [page for page in seen if token in page]
        assert token not in caplog.text
        assert not [r for r in caplog.records if token in repr(r.args) or token in r.getMessage()]
        assert not [text for text in audit if token in text]


def test_the_objects_holding_tokens_never_show_them(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)
    access, refresh = stored_tokens(PRIYA)
    person = person_asana(person_of(PRIYA))
    assert person is not None
    issued = IssuedTokens(access_token=access, expires_in=3600, refresh_token=refresh)

    shown = [repr(issued), str(issued), repr(person), str(person), repr(person.client())]
    shown.append(repr(AsanaGrant.objects.get()))

    assert not [text for text in shown if access in text or refresh in text]


def blow_up(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug while the person's tokens are in use")


@pytest.fixture
def debug_error_pages(client: Client, settings: Any) -> Iterator[Client]:
    """DEBUG's technical 500 page: what an error report (mail, Sentry) would carry too."""
    settings.DEBUG = True
    get_default_exception_reporter_filter.cache_clear()  # Django caches the filter it loads
    client.raise_request_exception = False
    yield client
    get_default_exception_reporter_filter.cache_clear()


def test_an_error_report_from_a_page_never_shows_the_persons_tokens(
    debug_error_pages: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = debug_error_pages
    sign_in_with_asana(client, PRIYA)
    access, refresh = stored_tokens(PRIYA)
    past_its_hour()  # the page refreshes first: the refresh token is in play too
    monkeypatch.setattr("categories.sandbox.adapter.process", blow_up)

    report = client.get("/audit/")

    assert report.status_code == 500
    assert "a bug while the person" in report.content.decode()  # the technical page
    assert access not in exposed(report)
    assert refresh not in exposed(report)
    assert stored_tokens(PRIYA)[0] not in exposed(report)


def test_an_error_report_from_the_sign_in_never_shows_the_tokens(
    debug_error_pages: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug after the code's exchange: the token answer is in the callback's frame."""
    client = debug_error_pages
    monkeypatch.setattr("categories.access.asana_sign_in.workspace_roles_refresh", blow_up)

    report = sign_in_with_asana(client, PRIYA)

    assert report.status_code == 500
    assert "a bug while the person" in report.content.decode()
    access, refresh = stored_tokens(PRIYA)
    assert access not in exposed(report)
    assert refresh not in exposed(report)


# --- encrypted at rest ------------------------------------------------------------------------


def test_the_database_holds_no_token(client: Client) -> None:
    sign_in_with_asana(client, PRIYA)
    first_access, refresh = stored_tokens(PRIYA)
    past_its_hour()
    client.get("/")
    second_access, _ = stored_tokens(PRIYA)

    rows = raw_grant_rows()

    assert first_access != second_access
    for token in (first_access, second_access, refresh):
        assert token not in rows
        assert token.split("-")[-1] not in rows  # not even without the sandbox's prefix


def test_a_new_key_put_first_and_rotated_lets_the_old_key_go(client: Client, settings) -> None:
    sign_in_with_asana(client, PRIYA)
    tokens = stored_tokens(PRIYA)
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]

    assert rotate_token_keys() == (1, 0)

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    assert stored_tokens(PRIYA) == tokens
    forget_people()
    assert client.get("/").status_code == 200  # still signed in, nothing noticed
    assert "_auth_user_id" in client.session


def test_rotating_forgets_only_the_grants_no_key_opens(client: Client, settings) -> None:
    sign_in_with_asana(client, PRIYA)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key lost

    assert rotate_token_keys() == (0, 1)
    assert not AsanaGrant.objects.exists()


def test_a_grant_no_key_opens_signs_the_person_out_with_a_message(client: Client, settings) -> None:
    sign_in_with_asana(client, PRIYA)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # dropped too early
    forget_people()  # a process started with the new setting

    answer = client.get("/")

    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert SIGN_IN_ENDED in client.get(answer["Location"]).content.decode().replace("&#x27;", "'")
    assert not AsanaGrant.objects.exists()
