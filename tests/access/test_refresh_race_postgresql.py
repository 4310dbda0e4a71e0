"""Two processes refreshing one person's token at the same moment: on PostgreSQL the grant's
row is locked, so Asana's token endpoint is asked once and everyone uses that new token.
(Threads with their own database connections stand in for the processes.)"""

from __future__ import annotations

from typing import Any

from tests.support.postgres_site import postgres_site_env, printed_json

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


def test_simultaneous_refreshes_ask_asana_once(postgres: Any) -> None:
    env = postgres_site_env(postgres, "dashboard_race_test")

    found = printed_json(env, RACE)

    assert found == {"errors": [], "distinct_tokens": 1, "refreshes": 1}
