"""Two processes refreshing one person's token at the same moment: on PostgreSQL the grant's
row is locked, so Asana's token endpoint is asked once and everyone uses that new token.
(Threads with their own database connections stand in for the processes.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RACE = """
import json, threading, datetime as dt, django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from categories.access.models import AsanaGrant
from categories.sandbox.models import SandboxOAuthToken
from categories.web.people import PersonAsana
from tests.support.asana_sign_in import PRIYA, sign_in_with_asana

assert connection.vendor == "postgresql"
client = Client(HTTP_HOST="127.0.0.1")
assert sign_in_with_asana(client, PRIYA).status_code == 302
AsanaGrant.objects.update(access_expires_at=timezone.now() - dt.timedelta(minutes=1))
issued_before = SandboxOAuthToken.objects.count()
grant = AsanaGrant.objects.get()
people = [PersonAsana(grant) for _ in range(6)]  # six processes holding the same sign-in
start = threading.Barrier(len(people))
tokens, errors = [], []

def refresh(person):
    try:
        start.wait()
        tokens.append(person.access_token())
    except Exception as error:  # reported below
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=refresh, args=(p,)) for p in people]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"errors": errors, "distinct_tokens": len(set(tokens)),
                  "refreshes": SandboxOAuthToken.objects.count() - issued_before}))
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def test_simultaneous_refreshes_ask_asana_once(postgres: Any) -> None:
    import psycopg

    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS dashboard_race_test")
        connection.execute("CREATE DATABASE dashboard_race_test")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url("dashboard_race_test"),
        "CACHE_URL": "locmemcache://race-test",
    }
    for command in (("manage.py", "migrate", "--noinput"), ("manage.py", "seed_sandbox")):
        result = run(env, *command)
        assert result.returncode == 0, result.stderr[-2000:]

    result = run(env, "-c", RACE)

    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"errors": [], "distinct_tokens": 1, "refreshes": 1}
