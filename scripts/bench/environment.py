"""The throwaway world a benchmark run lives in.

A temp dir with a SQLite database, migrated and seeded (a fixed "today", so figures repeat),
the sandbox served over real HTTP with added latency by a subprocess on that database, and
Django set up in this process as a dashboard with a real token pointed at that sandbox.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_TODAY = dt.date(2025, 6, 30)  # the seed's "today": same data, same gids every run
NORTHWIND = "1201000000000001"
ENGINEERING = "1209000000000001"
TOKEN = "bench-token"  # noqa: S105 - the sandbox accepts any token
# The sandbox's control API (reset, faults, usage counters) answers this token only.
CONTROL_TOKEN = secrets.token_urlsafe(16)
STARTUP_SECONDS = 60.0
SANDBOX_COMMAND = (sys.executable, "manage.py", "asana_sandbox", "--port", "0")


@dataclass(frozen=True)
class BenchEnvironment:
    base_url: str
    latency_ms: int
    sandbox_processes: int
    workdir: Path

    def sandbox_usage(self) -> dict[str, Any]:
        """The sandbox's per-token counters, over all its processes (categories/sandbox/
        limits.py): requests, over_budget, peak_reads, peak_writes, peak_per_minute, ..."""
        return self._control("GET", "/_sandbox/usage")

    def reset_sandbox_usage(self) -> None:
        """Counters back to zero, e.g. before the run a figure is about."""
        self._control("DELETE", "/_sandbox/usage")

    def _control(self, method: str, path: str) -> dict[str, Any]:
        import requests

        root = self.base_url.rsplit("/api/", 1)[0]
        headers = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
        answer = requests.request(method, root + path, headers=headers, timeout=30)
        answer.raise_for_status()
        return answer.json()["data"]


def base_env(workdir: Path) -> dict[str, str]:
    """Settings for every process of the run (the dashboard adds its token and URL)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "CACHE_URL": "locmemcache://bench",
        "ASANA_ACCESS_TOKEN": TOKEN,
        "ASANA_WORKSPACE_GID": NORTHWIND,
        "ASANA_TIMEOUT": "30",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "PYTHONUNBUFFERED": "1",
        "SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN,
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run one manage.py command to completion; its output is shown only if it fails."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode})")


def _pump_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.strip())


def _wait_for_url(process: subprocess.Popen[str], lines: queue.Queue[str], log: Path) -> str:
    while True:
        try:
            line = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            raise RuntimeError(f"the sandbox printed no URL in time; see {log}") from None
        if line.startswith("http"):
            return line
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited ({process.returncode}): {log.read_text()}")


@contextmanager
def sandbox_server(
    env: dict[str, str], *, latency_ms: int, processes: int, log: Path
) -> Iterator[str]:
    """`manage.py asana_sandbox --port 0` in a subprocess; yields its base URL, then stops it.

    `processes` > 1 serves from forked copies too, as Asana answers concurrent requests
    side by side; one Python process would answer them one after another."""
    with log.open("w") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [*SANDBOX_COMMAND, "--latency-ms", str(latency_ms), "--processes", str(processes)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            lines: queue.Queue[str] = queue.Queue()
            assert process.stdout is not None
            pump = threading.Thread(target=_pump_lines, args=(process.stdout, lines), daemon=True)
            pump.start()
            yield _wait_for_url(process, lines, log)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def setup_dashboard(env: dict[str, str], base_url: str) -> None:
    """Django in this process: a dashboard with a real token, talking to `base_url`."""
    os.environ.update(env)
    os.environ["ASANA_BASE_URL"] = base_url
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic in a throwaway run: plain static storage, as the tests use.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@contextmanager
def bench_environment(latency_ms: int, *, sandbox_processes: int = 2) -> Iterator[BenchEnvironment]:
    """Everything a run needs, torn down (sandbox stopped, temp dir removed) on any exit."""
    with tempfile.TemporaryDirectory(prefix="asana-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "static").mkdir()
        env = base_env(workdir)
        env["ASANA_BASE_URL"] = "http://127.0.0.1:9/api/1.0"  # not used before setup
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_sandbox", "--today", BENCH_TODAY.isoformat())
        log = workdir / "sandbox.log"
        with sandbox_server(
            env, latency_ms=latency_ms, processes=sandbox_processes, log=log
        ) as base_url:
            setup_dashboard(env, base_url)
            try:
                yield BenchEnvironment(
                    base_url=base_url,
                    latency_ms=latency_ms,
                    sandbox_processes=sandbox_processes,
                    workdir=workdir,
                )
            finally:
                from django.db import connections

                connections.close_all()
