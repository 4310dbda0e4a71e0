"""A whole deployment on this machine, as real processes: Asana's stand-in (the sandbox
served over HTTP, enforcing the token's limits and counting what it refuses), app servers
(gunicorn) and the job worker, all on free loopback ports. Used by the multi-server tests
and by `make load`.

Where the app servers keep their state is the caller's choice (`app_env`): one PostgreSQL
and one Redis for "several servers", a SQLite file and no Redis for "one machine".
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.servers import die_with_parent, free_port

REPO = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TOKEN = "site-token"  # the sandbox accepts any token
# The job worker (issue 16) runs beside the web servers once its app exists.
JOBS_WORKER = REPO / "categories" / "jobs" / "management" / "commands" / "jobs_worker.py"


@dataclass(frozen=True)
class Site:
    apps: list[str]
    sandbox: str
    control_token: str
    people: list[tuple[str, str]]  # (username, password) of superusers, one per person
    env: dict[str, str]  # the app servers' environment (for manage.py commands)
    logs: Path

    def usage(self) -> dict[str, int]:
        """What the sandbox counted: requests answered, and refused as over the budget."""
        answer = requests.get(
            f"{self.sandbox}/_sandbox/usage",
            headers={"Authorization": f"Bearer {self.control_token}"},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["data"]


def has_jobs_worker() -> bool:
    return JOBS_WORKER.exists()


@contextmanager
def running_site(
    workdir: Path,
    *,
    app_env: dict[str, str],
    servers: int = 2,
    workers: int = 2,
    threads: int = 4,
    per_minute: int = 1500,
    latency_ms: int = 20,
    sandbox_processes: int = 2,
    budget_wait_seconds: float = 2,
    people: int = 2,
) -> Iterator[Site]:
    """Start the site; stop every process when done (or when the caller dies). The sandbox
    serves with `sandbox_processes` processes counting as one Asana (one usage table)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))}
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    control = secrets.token_urlsafe(16)
    sandbox_port = free_port()
    sandbox_env = base | {
        "DATABASE_URL": f"sqlite:///{workdir / 'sandbox.sqlite3'}",
        "REDIS_URL": "",
        "SANDBOX_CONTROL_TOKEN": control,
        "SANDBOX_LIMITS": f"{per_minute},50,15",
    }
    env = (
        base
        | {
            "DATABASE_URL": f"sqlite:///{workdir / 'app.sqlite3'}",
            "REDIS_URL": "",
            "ASANA_BASE_URL": f"http://127.0.0.1:{sandbox_port}/api/1.0",
            "ASANA_ACCESS_TOKEN": TOKEN,
            "ASANA_REQUESTS_PER_MINUTE": str(per_minute),
            "ASANA_BUDGET_WAIT_SECONDS": str(budget_wait_seconds),
            "ASANA_BUDGET_FILE": str(workdir / "budget.sqlite3"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "WARNING",
        }
        | app_env
    )
    logins = [(f"boss{n}", secrets.token_urlsafe(12)) for n in range(1, people + 1)]
    for run_env, command in (
        (sandbox_env, ["migrate", "--noinput"]),
        (env, ["migrate", "--noinput"]),
        (env, ["collectstatic", "--noinput"]),
    ):
        _manage(run_env, *command)
    create_people = (
        "from django.contrib.auth import get_user_model; U = get_user_model()\n"
        + "".join(
            f"U.objects.filter(username={name!r}).delete()\n"
            f"U.objects.create_superuser({name!r}, '{name}@example.com', {password!r})\n"
            for name, password in logins
        )
    )
    _manage(env, "shell", "-c", create_people)
    app_ports = [free_port() for _ in range(servers)]
    with ExitStack() as stack:
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        stack.enter_context(
            _process(
                [sys.executable, "manage.py", "asana_sandbox", "--port", str(sandbox_port),
                 "--latency-ms", str(latency_ms), "--processes", str(sandbox_processes)],
                sandbox_env, workdir / "sandbox.log", probe=f"{sandbox}/api/1.0/users/me",
            )
        )  # fmt: skip
        for index, port in enumerate(app_ports):
            stack.enter_context(
                _process(
                    [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
                     str(workers), "--threads", str(threads), "--timeout", "60"],
                    env, workdir / f"app-{index}.log", probe=f"http://127.0.0.1:{port}/healthz",
                )
            )  # fmt: skip
        if has_jobs_worker():
            stack.enter_context(
                _process(
                    [sys.executable, "manage.py", "jobs_worker", "--interval", "0.1"],
                    env, workdir / "jobs-worker.log",
                )
            )  # fmt: skip
        yield Site(
            apps=[f"http://127.0.0.1:{port}" for port in app_ports],
            sandbox=sandbox,
            control_token=control,
            people=logins,
            env=env,
            logs=workdir,
        )


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)}: {done.stderr[-3000:]}")


@contextmanager
def _process(
    command: list[str], env: dict[str, str], log: Path, *, probe: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=out, preexec_fn=die_with_parent
        )
    try:
        if probe is not None:
            wait_for_http(probe, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `url` answers at all (any status), or the process exits, or 120 s pass."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still loading the app
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in 120 s: {log.read_text()[-2000:]}")
