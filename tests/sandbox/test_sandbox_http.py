"""The sandbox over real HTTP: same API and faults, plus the control API for other processes.

These tests use `transactional_db`: the server's threads have their own database
connections, so they only see committed data.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from categories.asana import AsanaClient
from categories.sandbox.seed import seed_demo_data
from categories.sandbox.server import SandboxHTTPServer, make_server
from tests.support.sandbox import ACME, ALEX, DESIGN, MANAGE, REPO, TODAY, migrated_database


@pytest.fixture
def live_sandbox(transactional_db: None) -> Iterator[SandboxHTTPServer]:
    seed_demo_data(today=TODAY)
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _control(
    server: SandboxHTTPServer, method: str, path: str, **payload: Any
) -> requests.Response:
    root = server.base_url.rsplit("/api/", 1)[0]
    headers = {"Authorization": f"Bearer {server.control_token}"}
    return requests.request(method, root + path, json=payload or None, headers=headers, timeout=5)


def _get(server: SandboxHTTPServer, path: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("timeout", 5)
    headers = {"Authorization": "Bearer http-test"}
    return requests.get(server.base_url + path, headers=headers, **kwargs)


def test_http_server_serves_the_real_client(live_sandbox: SandboxHTTPServer) -> None:
    asana = AsanaClient(base_url=live_sandbox.base_url, token="http-test", timeout=5)

    created = asana.create_category(workspace_gid=ACME, name="Über <HTTP> & 🚀")

    assert asana.me().gid == ALEX
    categories = list(asana.iter_categories(workspace_gid=ACME))
    assert len(categories) == 132
    assert created.name in [c.name for c in categories]
    assert asana.get_category(created.gid).name == "Über <HTTP> & 🚀"


def test_http_server_applies_faults_from_its_control_api(live_sandbox: SandboxHTTPServer) -> None:
    injected = _control(
        live_sandbox, "POST", "/_sandbox/faults", kind="status", status=503, times=1
    )
    assert injected.status_code == 201
    assert injected.json()["data"]["remaining"] == 1

    failed = _get(live_sandbox, "/workspaces")
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["phrase"]
    assert _get(live_sandbox, "/workspaces").status_code == 200

    _control(live_sandbox, "POST", "/_sandbox/faults", kind="malformed", times=1)
    assert _get(live_sandbox, "/workspaces").text == "<html>oops</html>"

    _control(live_sandbox, "POST", "/_sandbox/faults", kind="timeout", latency_ms=400, times=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _get(live_sandbox, "/workspaces", timeout=(2, 0.1))

    _control(live_sandbox, "POST", "/_sandbox/faults", kind="connection_refused")
    with pytest.raises(requests.exceptions.ConnectionError):
        _get(live_sandbox, "/workspaces")

    assert _control(live_sandbox, "DELETE", "/_sandbox/faults").status_code == 200
    assert _get(live_sandbox, "/workspaces").status_code == 200


def test_http_control_api_refuses_a_bad_fault_and_resets_the_data(
    live_sandbox: SandboxHTTPServer,
) -> None:
    bad = _control(live_sandbox, "POST", "/_sandbox/faults", kind="status")
    assert bad.status_code == 400
    requests.put(
        f"{live_sandbox.base_url}/time_tracking_categories/{DESIGN}",
        json={"data": {"name": "Changed"}},
        headers={"Authorization": "Bearer http-test"},
        timeout=5,
    )

    reset = _control(live_sandbox, "POST", "/_sandbox/reset", today=TODAY.isoformat())

    assert reset.status_code == 200
    design = _get(live_sandbox, f"/time_tracking_categories/{DESIGN}").json()["data"]
    assert design["name"] == "Design"


def test_asana_sandbox_command_prints_its_url_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = migrated_database(tmp_path)
    server = subprocess.Popen(
        [*MANAGE, "asana_sandbox", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline().strip() for _ in range(2)]
        base_url = lines[-1]
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/1.0")
        me = requests.get(f"{base_url}/users/me", headers={"Authorization": "Bearer x"}, timeout=5)
        assert me.json()["data"]["name"] == "Alex Morgan"
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


def test_server_queues_a_burst_of_connections_from_a_windowed_report() -> None:
    from categories.sandbox.server import SandboxHTTPServer

    # A dozen connections opened at once must all be queued; with socketserver's default
    # of 5, the others are dropped and reconnect only a second later.
    assert SandboxHTTPServer.request_queue_size >= 64


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", "Bearer ", "Basic x"],
    ids=["none", "wrong", "empty", "basic"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("POST", "/_sandbox/deny_scope"),
        ("GET", "/_sandbox/usage"),
        ("DELETE", "/_sandbox/usage"),
        ("PUT", "/_sandbox/limits"),
        ("GET", "/_sandbox/no-such-route"),
    ],
)
def test_the_control_api_refuses_anyone_without_its_token(
    live_sandbox: SandboxHTTPServer, authorization: str | None, method: str, path: str
) -> None:
    root = live_sandbox.base_url.rsplit("/api/", 1)[0]
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.request(
        method, root + path, json={"kind": "malformed"}, headers=headers, timeout=5
    )
    assert response.status_code == 401
    assert "control token" in response.json()["errors"][0]["message"]
    # Nothing was injected: the API still answers normally.
    assert _get(live_sandbox, "/users/me").status_code == 200


def test_the_control_token_comes_from_the_setting(settings: Any, transactional_db: None) -> None:
    settings.SANDBOX_CONTROL_TOKEN = "from-the-environment"
    server = make_server("127.0.0.1", 0)
    try:
        assert server.control_token == "from-the-environment"
        assert server.allows_control("Bearer from-the-environment")
        assert not server.allows_control("Bearer from-the-environmen")
    finally:
        server.server_close()


REMOTE_HOSTS = ["0.0.0.0", "192.0.2.10", "::"]  # noqa: S104 - each must be refused


@pytest.mark.parametrize("host", REMOTE_HOSTS)
def test_asana_sandbox_refuses_a_host_other_machines_reach(tmp_path: Path, host: str) -> None:
    env = migrated_database(tmp_path)
    result = subprocess.run(
        [*MANAGE, "asana_sandbox", "--host", host, "--port", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"Refusing to serve the sandbox on {host}" in result.stderr
    assert "--allow-remote" in result.stderr


def test_the_control_api_denies_a_scope_to_every_token(live_sandbox: SandboxHTTPServer) -> None:
    listing = "/time_tracking_entries?workspace=1201000000000001&entered_on_start_date=2025-06-01"

    denied = _control(
        live_sandbox, "POST", "/_sandbox/deny_scope", scope="time_tracking_entries:read"
    )

    assert denied.status_code == 201
    assert {rule["status"] for rule in denied.json()["data"]} == {403}
    refused = _get(live_sandbox, listing + "&limit=100")
    assert refused.status_code == 403
    assert "time_tracking_entries:read" in refused.json()["errors"][0]["message"]
    assert _get(live_sandbox, "/workspaces").status_code == 200
    _control(live_sandbox, "DELETE", "/_sandbox/faults")
    assert _get(live_sandbox, listing + "&limit=100").status_code == 200
