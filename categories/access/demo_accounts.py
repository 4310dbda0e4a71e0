"""Demo mode's two sign-in accounts, with generated passwords.

Only in demo mode (no ASANA_ACCESS_TOKEN): `make run` (prepare_demo) creates `admin`
(Category admins) and `reviewer` (Time reviewers). Their passwords are generated once,
kept in var/demo_accounts.json (readable by the owner only) so they survive restarts, printed
to the console and shown on the login page. With a real token nothing is ever created.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from categories.access.roles import CATEGORY_ADMINS, TIME_REVIEWERS

# username -> role. The admin is staff too, so the read-only audit log in /admin/ works.
DEMO_ROLES: dict[str, str] = {"admin": CATEGORY_ADMINS, "reviewer": TIME_REVIEWERS}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the missing demo accounts; return every one whose password is still ours.

    Idempotent: an existing account keeps its stored password; a deleted one is created
    again (with the stored password). An account whose password someone changed, or that
    someone else created under the same name, is left alone and no longer listed.
    """
    if not settings.DEMO_MODE:
        return []
    stored = _read_passwords()
    accounts = []
    with transaction.atomic():
        for username, role in DEMO_ROLES.items():
            password = stored.get(username) or secrets.token_urlsafe(12)
            if _ensure_user(username, password, role, known=username in stored):
                accounts.append(DemoAccount(username, password, role))
    _write_passwords({account.username: account.password for account in accounts})
    return accounts


def shown_demo_accounts() -> list[DemoAccount]:
    """What the login page lists: the stored accounts, in demo mode only."""
    if not settings.DEMO_MODE:
        return []
    passwords = _read_passwords()
    return [
        DemoAccount(username, passwords[username], role)
        for username, role in DEMO_ROLES.items()
        if username in passwords
    ]


def _ensure_user(username: str, password: str, role: str, *, known: bool) -> bool:
    """True when `username` exists with `password` and `role` (creating it if missing)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_staff=role == CATEGORY_ADMINS)
        user.set_password(password)
        user.save()
    elif not known or not user.check_password(password):
        return False
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return True


def _accounts_file() -> Path:
    return Path(settings.DEMO_ACCOUNTS_FILE)


def _read_passwords() -> dict[str, str]:
    try:
        data = json.loads(_accounts_file().read_text())
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, list):
        return {}
    return {
        item["username"]: item["password"]
        for item in data
        if isinstance(item, dict) and item.get("username") in DEMO_ROLES and item.get("password")
    }


def _write_passwords(passwords: dict[str, str]) -> None:
    """Replace the file atomically; it is created readable and writable by its owner only."""
    path = _accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        asdict(DemoAccount(name, password, DEMO_ROLES[name]))
        for name, password in passwords.items()
    ]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(records, handle, indent=2)
    os.chmod(temporary, 0o600)  # O_CREAT's mode is reduced by the umask; be exact
    os.replace(temporary, path)
