"""A laptop is not a deployment: `make run` with a real token works on http://127.0.0.1,
and HTTPS-only behaviour switches on for a dashboard that answers to other host names.

Settings are read at import, so each configuration runs Django in a child process and asks
it for a page through Django's test client, addressed to the host a browser would use.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from django.test import Client

from tests.security.settings_runs import run_python, settings_under

REAL_TOKEN = "1/1234567890:a-real-token"
LAPTOP_WITH_TOKEN = {"ASANA_ACCESS_TOKEN": REAL_TOKEN, "DEBUG": "false"}
DEPLOYMENT = {
    "ASANA_ACCESS_TOKEN": REAL_TOKEN,
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dash.example.com",
}


def page_under(env: dict[str, str], *, host: str, secure: bool = False) -> dict[str, Any]:
    """Status and headers of the login page, served by a Django configured by `env`."""
    script = (
        "import json, django; django.setup(); from django.test import Client; "
        # Pages link static files by their manifest names; no collectstatic ran here.
        "from django.conf import settings as s; s.STORAGES = {**s.STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "
        f"r = Client().get('/accounts/login/', HTTP_HOST={host!r}, secure={secure!r}); "
        "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers)}))"
    )
    result = run_python(env, "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_real_token_on_a_laptop_is_served_over_plain_http() -> None:
    page = page_under(LAPTOP_WITH_TOKEN, host="127.0.0.1:8000")
    assert page["status"] == 200
    assert "Strict-Transport-Security" not in page["headers"]


def test_a_laptop_needs_no_secret_key_and_is_not_https_only() -> None:
    found = settings_under(
        LAPTOP_WITH_TOKEN,
        [
            "DEMO_MODE",
            "LOCAL_ONLY",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
        ],
    )
    assert found == {
        "DEMO_MODE": False,
        "LOCAL_ONLY": True,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_a_deployment_redirects_plain_http_to_https() -> None:
    page = page_under(DEPLOYMENT, host="dash.example.com")
    assert page["status"] == 301
    assert page["headers"]["Location"] == "https://dash.example.com/accounts/login/"


def test_a_deployment_sends_hsts_over_https() -> None:
    page = page_under(DEPLOYMENT, host="dash.example.com", secure=True)
    assert page["status"] == 200
    assert page["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_deployment_still_needs_a_secret_key() -> None:
    env = {key: value for key, value in DEPLOYMENT.items() if key != "SECRET_KEY"}
    result = run_python(env, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_hsts_is_never_sent_for_a_loopback_host(
    client: Client, settings: Any, db: None, host: str
) -> None:
    """Even where someone configured HSTS: a browser would remember it for every local
    server on that host name."""
    settings.SECURE_HSTS_SECONDS = 600
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "[::1]", "dash.example.com"]
    assert "Strict-Transport-Security" not in client.get("/healthz", HTTP_HOST=host, secure=True)
    other = client.get("/healthz", HTTP_HOST="dash.example.com", secure=True)
    assert other["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


# --- demo mode only when asked for ----------------------------------------------------------


def test_a_deployment_without_a_token_refuses_to_start_and_names_the_setting() -> None:
    env = {**DEPLOYMENT, "ASANA_ACCESS_TOKEN": ""}
    result = run_python(env, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "Set ASANA_ACCESS_TOKEN" in result.stderr
    assert "DEMO_MODE=true" in result.stderr


def test_a_deployment_serves_the_demo_only_when_asked() -> None:
    env = {**DEPLOYMENT, "ASANA_ACCESS_TOKEN": "", "DEMO_MODE": "true"}
    assert settings_under(env, ["DEMO_MODE"]) == {"DEMO_MODE": True}


def test_a_laptop_without_a_token_is_the_demo() -> None:
    found = settings_under({"ASANA_ACCESS_TOKEN": ""}, ["DEMO_MODE", "LOCAL_ONLY"])
    assert found == {"DEMO_MODE": True, "LOCAL_ONLY": True}


@pytest.mark.parametrize("hosts", ["*", "127.0.0.1,dash.example.com", "10.0.0.5"])
def test_any_host_beyond_this_machine_makes_a_deployment(hosts: str) -> None:
    env = {"ASANA_ACCESS_TOKEN": REAL_TOKEN, "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": hosts}
    assert settings_under(env, ["LOCAL_ONLY"]) == {"LOCAL_ONLY": False}
