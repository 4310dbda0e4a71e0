"""A dashboard database of its own on the throwaway PostgreSQL server, migrated and seeded,
and Python run against it in a fresh process (settings read from that environment)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.support.sandbox import REPO


def postgres_site_env(postgres: Any, database: str) -> dict[str, str]:
    """An environment whose dashboard uses a new, migrated and seeded `database`."""
    import psycopg

    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")
        connection.execute(f"CREATE DATABASE {database}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url(database),
        "CACHE_URL": f"locmemcache://{database}",
    }
    for command in (("manage.py", "migrate", "--noinput"), ("manage.py", "seed_sandbox")):
        result = run_python(env, *command)
        assert result.returncode == 0, result.stderr[-2000:]
    return env


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def printed_json(env: dict[str, str], code: str) -> Any:
    """Run `code` in a fresh process; what it printed last, as JSON."""
    result = run_python(env, "-c", code)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
