"""Deployment hardening: `check --deploy` is clean in production, HTTPS-only settings follow
the environment, and every page carries the security headers and the CSP."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client

from tests.security.settings_runs import run_python, settings_under

# The production environment the README documents (plus a database URL, so nothing is
# written into the developer's var/). Keep the two in step.
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "false",
    "ASANA_ACCESS_TOKEN": "1/1234567890:production-token-for-check-deploy",
    "ALLOWED_HOSTS": "dashboard.example.com",
}
SECURITY_SETTINGS = [
    "LOCAL_ONLY",
    "DEBUG",
    "DEMO_MODE",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "AXES_FAILURE_LIMIT",
]
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def policy_of(response: Any) -> dict[str, set[str]]:
    """The CSP header as directive -> sources (django-csp does not keep their order)."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: set(sources) for name, *sources in directives}


def test_check_deploy_is_clean_with_the_documented_production_environment() -> None:
    result = run_python(PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_does_catch_an_insecure_production_setting() -> None:
    """The check above can fail: turning one protection off is reported."""
    result = run_python(
        {**PRODUCTION_ENV, "SECURE_COOKIES": "false"},
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


def test_production_is_https_only_by_default() -> None:
    found = settings_under(PRODUCTION_ENV, SECURITY_SETTINGS)
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] == 31_536_000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_PROXY_SSL_HEADER"] is None  # only when a proxy is trusted


@pytest.mark.parametrize(
    "env",
    [
        {"ASANA_ACCESS_TOKEN": "", "DEBUG": "false"},  # `make run`: demo over http://127.0.0.1
        {**PRODUCTION_ENV, "DEBUG": "true"},  # `make dev`
    ],
    ids=["demo", "debug"],
)
def test_plain_http_keeps_working_in_demo_mode_and_debug(env: dict[str, str]) -> None:
    found = settings_under(env, SECURITY_SETTINGS)
    assert found["SECURE_SSL_REDIRECT"] is False
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0


def test_each_https_setting_can_be_set_from_the_environment() -> None:
    found = settings_under(
        {
            "ASANA_ACCESS_TOKEN": "",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_COOKIES": "true",
            "SECURE_HSTS_SECONDS": "600",
            "TRUST_X_FORWARDED_PROTO": "true",
            "AXES_FAILURE_LIMIT": "3",
        },
        SECURITY_SETTINGS,
    )
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SESSION_COOKIE_SECURE"] is found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] == 600
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["AXES_FAILURE_LIMIT"] == 3


def test_https_redirects_spare_only_the_load_balancers_probes(
    client: Client, settings: Any, db: None
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    for path in ("/accounts/login/", "/", "/audit/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == f"https://testserver{path}"


def test_no_script_reads_the_cookies() -> None:
    found = settings_under(PRODUCTION_ENV, SECURITY_SETTINGS)
    assert found["SESSION_COOKIE_HTTPONLY"] is True
    assert found["CSRF_COOKIE_HTTPONLY"] is True


# --- headers on every page ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/audit/"])
def test_pages_carry_the_content_security_policy_and_security_headers(
    admin_http: Client, path: str
) -> None:
    if path == "/accounts/login/":
        admin_http.logout()
    response = admin_http.get(path)
    assert response.status_code == 200
    assert policy_of(response) == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_refusals_carry_the_policy_too(reviewer_http: Client) -> None:
    response = reviewer_http.get("/audit/")
    assert response.status_code == 403
    assert policy_of(response) == POLICY


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/audit/"])
def test_pages_have_no_inline_script_or_style(admin_http: Client, path: str) -> None:
    if path == "/accounts/login/":
        admin_http.logout()
    html = admin_http.get(path).content.decode()
    # Every <script> has a src; no style attributes or <style> blocks; no inline handlers.
    assert "<script>" not in html
    assert "<script " not in html.replace("<script src=", "")
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html
    assert " onload=" not in html
