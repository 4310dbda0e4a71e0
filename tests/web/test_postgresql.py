"""DATABASE_URL=postgres://… runs everything on PostgreSQL (psycopg 3): the migrations, the
sandbox's hand-written SQL, the screens and the audit log. A real, throwaway server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PAGES = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
user = get_user_model().objects.create_superuser("pg-admin", "a@example.com", "x")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
paths = ["/", "/?state=all", "/categories/1209000000000001/entries/?range=year-to-date",
         "/overview/?range=this-quarter&full=1", "/audit/",
         "/categories/1209000000000001/export/entries.csv?range=year-to-date"]
statuses = {path: client.get(path).status_code for path in paths}
archive = client.post("/categories/1209000000000002/archive/").status_code
from categories.models import AuditEntry
print(json.dumps({"statuses": statuses, "archive": archive,
                  "audit": list(AuditEntry.objects.values_list("action", "outcome"))}))
"""


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def test_everything_runs_on_postgresql(postgres: Any) -> None:
    import psycopg

    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS dashboard_pg_test")
        connection.execute("CREATE DATABASE dashboard_pg_test")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url("dashboard_pg_test"),
        "CACHE_URL": "locmemcache://pg-test",
    }
    for command in (("manage.py", "migrate", "--noinput"), ("manage.py", "seed_sandbox")):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr[-2000:]
    result = manage(env, "-c", PAGES)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(found["statuses"].values()) == {200}, found["statuses"]
    assert found["archive"] in (200, 302)
    assert found["audit"] == [["archive", "succeeded"]]
