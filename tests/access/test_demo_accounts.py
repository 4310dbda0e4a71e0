"""Demo mode's `admin` and `reviewer` accounts: generated once, shown, never with a token."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from categories.access.demo_accounts import ensure_demo_accounts
from categories.access.roles import CATEGORY_ADMINS, TIME_REVIEWERS, role_names

User = get_user_model()


@pytest.fixture
def accounts_file(settings: Any, tmp_path: Path) -> Path:
    settings.DEMO_ACCOUNTS_FILE = tmp_path / "var" / "demo_accounts.json"
    return settings.DEMO_ACCOUNTS_FILE


@pytest.fixture
def with_token(settings: Any) -> None:
    settings.ASANA_ACCESS_TOKEN = "a-real-token"
    settings.DEMO_MODE = False


def passwords(accounts: list[Any]) -> dict[str, str]:
    return {account.username: account.password for account in accounts}


def test_demo_mode_creates_an_admin_and_a_reviewer_who_can_sign_in(
    accounts_file: Path, db: None
) -> None:
    accounts = ensure_demo_accounts()
    assert [(a.username, a.role) for a in accounts] == [
        ("admin", CATEGORY_ADMINS),
        ("reviewer", TIME_REVIEWERS),
    ]
    for account in accounts:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        assert role_names(user) == [account.role]
        assert not user.is_superuser
    assert len({a.password for a in accounts}) == 2
    assert all(len(a.password) >= 16 for a in accounts)


def test_the_passwords_are_kept_in_a_file_only_its_owner_can_read(
    accounts_file: Path, db: None
) -> None:
    accounts = ensure_demo_accounts()
    assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600
    stored = {item["username"]: item["password"] for item in json.loads(accounts_file.read_text())}
    assert stored == passwords(accounts)


def test_running_again_keeps_the_same_accounts_and_passwords(accounts_file: Path, db: None) -> None:
    first = ensure_demo_accounts()
    assert ensure_demo_accounts() == first
    assert User.objects.count() == 2


def test_a_deleted_demo_account_comes_back_with_its_password(accounts_file: Path, db: None) -> None:
    first = passwords(ensure_demo_accounts())
    User.objects.filter(username="reviewer").delete()
    assert passwords(ensure_demo_accounts()) == first
    assert User.objects.get(username="reviewer").check_password(first["reviewer"])


def test_an_account_whose_password_was_changed_is_left_alone_and_no_longer_listed(
    accounts_file: Path, db: None
) -> None:
    ensure_demo_accounts()
    admin = User.objects.get(username="admin")
    admin.set_password("chosen-by-a-person-123")
    admin.save()
    assert [a.username for a in ensure_demo_accounts()] == ["reviewer"]
    assert User.objects.get(username="admin").check_password("chosen-by-a-person-123")


def test_someone_elses_account_with_a_demo_name_is_never_taken_over(
    accounts_file: Path, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser(username="admin", password="their-own-pw-1")
    assert [a.username for a in ensure_demo_accounts()] == ["reviewer"]
    owner = User.objects.get(username="admin")
    assert owner.check_password("their-own-pw-1")
    assert role_names(owner) == []


def test_with_a_real_token_no_account_is_created(
    accounts_file: Path, with_token: None, db: None
) -> None:
    assert ensure_demo_accounts() == []
    assert not User.objects.exists()
    assert not accounts_file.exists()


def test_the_login_page_lists_the_demo_accounts_in_demo_mode(
    accounts_file: Path, client: Client, db: None
) -> None:
    accounts = ensure_demo_accounts()
    html = client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "Demo accounts" in html
    for account in accounts:
        assert account.password in html


@pytest.mark.parametrize("host", ["dash.example.com", "10.0.0.5:8000"])
def test_the_login_page_never_lists_them_to_another_host(
    accounts_file: Path, client: Client, db: None, settings: Any, host: str
) -> None:
    """Someone who turned demo mode on for a shared host shows its passwords to nobody."""
    settings.ALLOWED_HOSTS = ["*"]
    accounts = ensure_demo_accounts()
    html = client.get("/accounts/login/", HTTP_HOST=host).content.decode()
    assert "Demo accounts" not in html
    assert not any(account.password in html for account in accounts)


def test_the_login_page_never_lists_them_with_a_real_token(
    accounts_file: Path, client: Client, db: None, settings: Any
) -> None:
    accounts = ensure_demo_accounts()  # made in demo mode, then a token was set
    settings.ASANA_ACCESS_TOKEN = "a-real-token"
    settings.DEMO_MODE = False
    html = client.get("/accounts/login/").content.decode()
    assert "Demo accounts" not in html
    assert not any(account.password in html for account in accounts)


def test_the_demo_accounts_sign_in_on_the_login_page(accounts_file: Path, db: None) -> None:
    client = Client()
    admin = ensure_demo_accounts()[0]
    response = client.post(
        "/accounts/login/", {"username": admin.username, "password": admin.password}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_prepare_demo_prints_the_accounts(accounts_file: Path, seeded_sandbox: None) -> None:
    out = io.StringIO()
    call_command("prepare_demo", stdout=out)
    stored = json.loads(accounts_file.read_text())
    for item in stored:
        assert f"{item['username']:<10} {item['password']}" in out.getvalue()


def test_prepare_demo_with_a_token_explains_how_to_create_accounts(
    accounts_file: Path, with_token: None, db: None
) -> None:
    out = io.StringIO()
    call_command("prepare_demo", stdout=out)
    assert "createsuperuser" in out.getvalue()
    assert not User.objects.exists()
