"""The sandbox's test helpers: its demo data's fixed gids and "today", a session with the
sandbox adapter mounted, and a migrated database for `manage.py` subprocesses."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from categories.sandbox.adapter import SANDBOX_BASE_URL, SandboxAdapter

TODAY = dt.date(2025, 6, 30)  # the demo data's "today": fixed, so dates in tests are stable
NORTHWIND = "1201000000000001"
ACME = "1201000000000002"
ALEX = "1202000000000001"
ENGINEERING = "1209000000000001"
DESIGN = "1209000000000002"
LEGACY_MIGRATION = "1209000000000012"  # archived, with entries older than a year
ACME_FIRST = "1209000000000016"
UNKNOWN_CATEGORY = "1209000000999999"
UNKNOWN_ENTRY = "1210000000999999"
REPO = Path(__file__).resolve().parents[2]
MANAGE = (sys.executable, "manage.py")


class Api:
    """A `requests.Session` with the sandbox adapter mounted, addressed by API path."""

    def __init__(self, session: requests.Session, base_url: str = SANDBOX_BASE_URL) -> None:
        self.session = session
        self.base_url = base_url

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params)

    def post(self, path: str, data: dict[str, Any]) -> requests.Response:
        return self.request("POST", path, json={"data": data})

    def put(self, path: str, data: dict[str, Any]) -> requests.Response:
        return self.request("PUT", path, json={"data": data})

    def delete(self, path: str) -> requests.Response:
        return self.request("DELETE", path)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 5)
        return self.session.request(method, self.base_url + path, **kwargs)


def migrated_database(folder: Path) -> dict[str, str]:
    """The environment of a `manage.py` subprocess on a new, migrated database in `folder`
    (for tests of the `asana_sandbox` command itself)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "ASANA_ACCESS_TOKEN": "",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([*MANAGE, "migrate", "sandbox", "-v0"], cwd=REPO, env=env, check=True)
    return env


def sandbox_session(token: str | None = "test-token") -> requests.Session:  # noqa: S107
    session = requests.Session()
    session.mount("http://asana-sandbox.local/", SandboxAdapter())
    if token is not None:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


def error_message(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"errors"}
    return body["errors"][0]["message"]


def give_second_category(
    *,
    category_gid: str,
    second_gid: str,
    count: int = 5,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[str]:
    """Give `count` of the category's entries (in start..end) a second category too.

    Asana allows at most one category per entry and the demo data follows it, but the
    dashboard must still count an entry listed under two categories sensibly (older data,
    or a rule Asana may relax): tests of that case make such entries themselves.
    """
    from categories.sandbox.models import SandboxCategory, SandboxEntry

    category, second = SandboxCategory.find(category_gid), SandboxCategory.find(second_gid)
    entries = SandboxEntry.objects.filter(categories=category).order_by("-entered_on", "pk")
    if start is not None:
        entries = entries.filter(entered_on__gte=start)
    if end is not None:
        entries = entries.filter(entered_on__lte=end)
    chosen = list(entries[:count])
    for entry in chosen:
        entry.categories.add(second)
    return [entry.gid for entry in chosen]


def entry_with_approval(status: str, *, category_gid: str | None = None) -> str:
    """The gid of a demo entry whose timesheet is in `status` (DRAFT, SUBMITTED, APPROVED or
    REJECTED), of the given category if one is named. SUBMITTED and APPROVED entries are
    locked: the sandbox refuses to change them (403)."""
    from categories.sandbox.models import SandboxCategory, SandboxEntry

    entries = SandboxEntry.objects.filter(approval_status=status).order_by("-entered_on", "pk")
    if category_gid is not None:
        entries = entries.filter(categories=SandboxCategory.find(category_gid))
    entry = entries.first()
    assert entry is not None, f"the demo data has no {status} entry like that"
    return entry.gid
