"""The client reads proxy and CA settings from the environment once, when it is made."""

from __future__ import annotations

import pytest
import requests

from categories.asana import AsanaClient

BASE_URL = "https://app.asana.com/api/1.0"
ENVIRONMENT = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def session_of(client: AsanaClient) -> requests.Session:
    return client._session


def test_a_proxy_from_the_environment_is_used_for_asana(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")

    session = session_of(AsanaClient(base_url=BASE_URL, token="t"))

    assert session.proxies["https"] == "http://proxy.internal:3128"


def test_no_proxy_naming_asana_keeps_requests_direct(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "app.asana.com")

    session = session_of(AsanaClient(base_url=BASE_URL, token="t"))

    assert "https" not in session.proxies


def test_a_ca_bundle_from_the_environment_verifies_asanas_certificate(
    monkeypatch: pytest.MonkeyPatch, tmp_path
):
    bundle = tmp_path / "corporate-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))

    session = session_of(AsanaClient(base_url=BASE_URL, token="t"))

    assert session.verify == str(bundle)


def test_the_environment_is_not_read_again_on_each_request(monkeypatch: pytest.MonkeyPatch):
    session = session_of(AsanaClient(base_url=BASE_URL, token="t"))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")

    settings = session.merge_environment_settings(
        BASE_URL + "/users/me", proxies={}, stream=None, verify=None, cert=None
    )

    assert settings["proxies"] == {}
    assert settings["verify"] is True


def test_a_netrc_entry_cannot_replace_the_bearer_token():
    # trust_env would also let ~/.netrc supply Basic credentials over our header.
    assert session_of(AsanaClient(base_url=BASE_URL, token="t")).trust_env is False
