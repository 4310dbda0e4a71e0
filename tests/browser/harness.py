"""Starts the real dashboard (gunicorn, demo mode) and the sandbox's HTTP server for
browser tests, each in its own process on a free port, sharing one throwaway database."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# Accounts the harness creates in the throwaway database: username -> group (None: superuser).
ACCOUNTS = {"e2e-admin": "Category admins", "e2e-reviewer": "Time reviewers", "e2e-root": None}
PASSWORD = "correct-horse-battery-staple-42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveApp:
    url: str
    sandbox_url: str  # the sandbox's Asana-compatible base URL, e.g. http://127.0.0.1:N/api/1.0
    workdir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def sandbox_control(self, method: str, path: str, payload: dict | None = None) -> dict:
        """Talk to the sandbox's test-only control API (fault injection, reset)."""
        root = self.sandbox_url.rsplit("/api/", 1)[0]
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.env['SANDBOX_CONTROL_TOKEN']}",
        }
        request = urllib.request.Request(root + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def inject_fault(self, **fault: object) -> dict:
        return self.sandbox_control("POST", "/_sandbox/faults", fault)

    def clear_faults(self) -> None:
        self.sandbox_control("DELETE", "/_sandbox/faults")

    def clear_cache(self) -> None:
        """Forget the app's cached Asana answers, so no test sees another test's data."""
        shutil.rmtree(self.workdir / "cache", ignore_errors=True)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True)


def _create_accounts(env: dict[str, str]) -> None:
    script = f"""
import django; django.setup()
from django.contrib.auth.models import Group, User
for username, group in {ACCOUNTS!r}.items():
    user, _ = User.objects.get_or_create(username=username)
    user.set_password({PASSWORD!r})
    user.is_superuser = user.is_staff = group is None
    user.save()
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
"""
    subprocess.run([PYTHON, "-c", script], cwd=REPO, env=env, check=True, capture_output=True)


def _wait_until_up(
    probe: Callable[[], None], process: subprocess.Popen, log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"A test server exited early:\n{log.read_text()[-4000:]}")
        try:
            probe()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"A test server did not come up in {timeout} s:\n{log.read_text()[-4000:]}")


def _http_ok(url: str) -> Callable[[], None]:
    def probe() -> None:
        with urllib.request.urlopen(url, timeout=2):
            pass

    return probe


def _port_open(port: int) -> Callable[[], None]:
    def probe() -> None:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

    return probe


def start_live_app(workdir: Path) -> LiveApp:
    env = {
        **os.environ,
        "ASANA_ACCESS_TOKEN": "",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "SECRET_KEY": "browser-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # A file cache the tests can empty between tests (the app's answer cache).
        "CACHE_URL": f"filecache://{workdir / 'cache'}",
        "PYTHONUNBUFFERED": "1",
        "SANDBOX_CONTROL_TOKEN": secrets.token_urlsafe(16),
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    _manage(env, "prepare_demo")
    _create_accounts(env)

    app_port, sandbox_port = free_port(), free_port()
    app = LiveApp(
        url=f"http://127.0.0.1:{app_port}",
        sandbox_url=f"http://127.0.0.1:{sandbox_port}/api/1.0",
        workdir=workdir,
        env=env,
    )
    commands = {
        "app": (
            [
                GUNICORN,
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{app_port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--timeout",
                "60",
            ],
            _http_ok(f"{app.url}/healthz"),
        ),
        "sandbox": (
            [PYTHON, "manage.py", "asana_sandbox", "--port", str(sandbox_port)],
            _port_open(sandbox_port),
        ),
        # Moves of time run as jobs: a real worker process, as `make run` starts one.
        "worker": ([PYTHON, "manage.py", "jobs_worker", "--interval", "0.2"], lambda: None),
    }
    for name, (command, probe) in commands.items():
        log = workdir / f"{name}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=handle)
        app.processes.append(process)
        try:
            _wait_until_up(probe, process, log)
        except Exception:
            app.stop()
            raise
    return app
