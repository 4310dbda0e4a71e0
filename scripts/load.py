"""`make load`: Locust against the dashboard on one and on two app servers, loopback only.

Starts Asana's stand-in (the sandbox over HTTP, 50 ms added per request, the token's limits
enforced), a throwaway Redis (shared cache and budget) and the app servers (gunicorn, two
workers each), then runs Locust headless for a bounded time per setup and prints a table:
users, requests/s, p50/p95 latency, errors, and the requests the dashboard sent to Asana.

Usage: .venv/bin/python scripts/load.py [--users 50] [--seconds 30] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.servers import free_port, redis_server  # noqa: E402

BIN = Path(sys.executable).parent
CONTROL = secrets.token_urlsafe(16)


def run(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def measure(servers: int, args: argparse.Namespace, redis_url: str, work: Path) -> dict[str, str]:
    sandbox_port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ASANA_", "DEMO_"))}
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings"}
    sandbox_env = base | {
        "DATABASE_URL": f"sqlite:///{work / 'sandbox.sqlite3'}",
        "SANDBOX_CONTROL_TOKEN": CONTROL,
        "SANDBOX_LIMITS": "1500,50,15",
    }
    password = secrets.token_urlsafe(12)
    app_env = base | {
        "DATABASE_URL": f"sqlite:///{work / 'app.sqlite3'}",
        "REDIS_URL": redis_url,
        "ASANA_BASE_URL": f"http://127.0.0.1:{sandbox_port}/api/1.0",
        "ASANA_ACCESS_TOKEN": "load-test-token",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }
    run(sandbox_env, "migrate", "--noinput")
    run(app_env, "migrate", "--noinput")
    run(app_env, "collectstatic", "--noinput")
    script = (
        "import django; django.setup(); from django.contrib.auth import get_user_model; "
        "U = get_user_model(); U.objects.filter(username='load').delete(); "
        f"U.objects.create_superuser('load', 'l@example.com', {password!r})"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=app_env, check=True)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "asana_sandbox",
                "--port",
                str(sandbox_port),
                "--latency-ms",
                str(args.latency_ms),
            ],
            cwd=REPO,
            env=sandbox_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    ports = [free_port() for _ in range(servers)]
    for port in ports:
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "8",
                ],
                cwd=REPO,
                env=app_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        wait_for(f"http://127.0.0.1:{sandbox_port}/api/1.0/users/me")
        hosts = [f"http://127.0.0.1:{port}" for port in ports]
        for host in hosts:
            wait_for(f"{host}/healthz")
        prefix = work / f"locust-{servers}"
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(REPO / "scripts" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 5)),
                "-t",
                f"{args.seconds}s",
                "--host",
                hosts[0],
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=REPO,
            check=False,
            timeout=args.seconds + 120,
            env=base
            | {"LOAD_HOSTS": ",".join(hosts), "LOAD_USERNAME": "load", "LOAD_PASSWORD": password},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        usage = requests.get(
            f"http://127.0.0.1:{sandbox_port}/_sandbox/usage",
            headers={"Authorization": f"Bearer {CONTROL}"},
            timeout=10,
        ).json()["data"]
        return summary(prefix, servers, args.users, usage)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def summary(prefix: Path, servers: int, users: int, usage: dict[str, int]) -> dict[str, str]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    pages = {name: rows[name] for name in ("categories", "entries", "overview") if name in rows}
    return {
        "servers": str(servers),
        "users": str(users),
        "requests/s": f"{float(total['Requests/s']):.1f}",
        "p50": f"{total['50%']} ms",
        "p95": f"{total['95%']} ms",
        "p95 per page": ", ".join(f"{name} {row['95%']} ms" for name, row in pages.items()),
        "errors": total["Failure Count"],
        "sent to Asana": str(usage.get("requests", "?")),
        "over budget": str(usage.get("over_budget", "?")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    results = []
    for servers in (1, 2):
        with redis_server() as redis_url, tempfile.TemporaryDirectory() as work:
            results.append(measure(servers, args, redis_url, Path(work)))
    columns = list(results[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for row in results:
        print("| " + " | ".join(row[column] for column in columns) + " |")


if __name__ == "__main__":
    main()
