"""DATABASE_URL=postgres://… runs everything on PostgreSQL (psycopg 3): the migrations, the
sandbox's hand-written SQL, the screens and the audit log. A real, throwaway server."""

from __future__ import annotations

from typing import Any

from tests.support.postgres_site import postgres_site_env, printed_json

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


def test_everything_runs_on_postgresql(postgres: Any) -> None:
    env = postgres_site_env(postgres, "dashboard_pg_test")

    found = printed_json(env, PAGES)

    assert set(found["statuses"].values()) == {200}, found["statuses"]
    assert found["archive"] in (200, 302)
    assert found["audit"] == [["archive", "succeeded"]]
