"""The HTTP sandbox on SQLite under concurrent writes, as a job sends them (up to 15 PUTs
at once): every write is answered as Asana would, never a 500 from a locked database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.job_worker import migrate, sandbox_server
from tests.support.sandbox import NORTHWIND

TOKEN = "concurrent-writes-token"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("sandbox-concurrent-writes")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SANDBOX_CONTROL_TOKEN": "concurrent-writes-control",
    }
    migrate(env)
    with sandbox_server(env, folder / "sandbox.log") as base_url:
        yield base_url


def get(session: requests.Session, url: str, **params: object) -> dict:
    answer = session.get(url, params=params, timeout=30)
    answer.raise_for_status()
    return answer.json()


def test_fifteen_writes_at_once_are_all_answered_and_all_land(sandbox: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    categories = get(session, f"{sandbox}/time_tracking_categories", workspace=NORTHWIND)["data"]
    source, target = categories[0]["gid"], categories[1]["gid"]
    entries = get(
        session, f"{sandbox}/time_tracking_categories/{source}/time_tracking_entries", limit=100
    )["data"]
    assert len(entries) >= 60, "enough entries for four rounds of fifteen"

    def move(entry: dict) -> int:
        with requests.Session() as own:
            answer = own.put(
                f"{sandbox}/time_tracking_entries/{entry['gid']}",
                json={"data": {"categories": [target]}},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=60,
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(move, entries[:60]))

    assert statuses == [200] * 60
    for entry in entries[:60]:
        record = get(session, f"{sandbox}/time_tracking_entries/{entry['gid']}")["data"]
        assert [c["gid"] for c in record["categories"]] == [target]
