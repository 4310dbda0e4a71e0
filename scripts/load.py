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
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.servers import redis_server  # noqa: E402
from tests.support.site import running_site  # noqa: E402

BIN = Path(sys.executable).parent


def measure(servers: int, args: argparse.Namespace, redis_url: str, work: Path) -> dict[str, str]:
    with running_site(
        work,
        app_env={"REDIS_URL": redis_url},
        servers=servers,
        threads=8,
        per_minute=1500,
        latency_ms=args.latency_ms,
        budget_wait_seconds=10,
        people=1,
    ) as site:
        username, password = site.people[0]
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
                site.apps[0],
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=REPO,
            check=False,
            timeout=args.seconds + 120,
            env=os.environ
            | {
                "LOAD_HOSTS": ",".join(site.apps),
                "LOAD_USERNAME": username,
                "LOAD_PASSWORD": password,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return summary(prefix, servers, args.users, site.usage())


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
