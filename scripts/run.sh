#!/usr/bin/env bash
# `make run`: the web server (gunicorn) and WORKERS job workers (default 1) in one terminal.
# The workers stop with the server (Ctrl+C). `WORKERS=0 make run` serves the web alone, for
# deployments that run `make worker` (manage.py jobs_worker) separately.
set -euo pipefail
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-1}"
worker_pids=()
stop_workers() {
    for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait "${worker_pids[@]}" 2>/dev/null || true
}
trap stop_workers EXIT
for _ in $(seq 1 "$WORKERS"); do
    .venv/bin/python manage.py jobs_worker &
    worker_pids+=("$!")
done
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
    --access-logfile - --forwarded-allow-ips 127.0.0.1
