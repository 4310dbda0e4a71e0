#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL 15 and Redis are there for the tests that run them as real
# servers (throwaway ones, on free ports, started and stopped by the tests themselves).
# Installs what is missing when we can (root + apt-get). Otherwise those tests skip loudly,
# except with CI=true, where a missing server fails the run.
set -euo pipefail
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
missing=()
[ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the server tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start system-wide services; the tests run their own, on free ports.
  (service redis-server stop || true) >/dev/null 2>&1
  (service postgresql stop || true) >/dev/null 2>&1
  exit 0
fi
echo "************************************************************************"
echo "* Missing: ${missing[*]}; they cannot be installed here."
echo "* PostgreSQL and Redis tests will be SKIPPED. Install: apt-get install ${missing[*]}"
echo "************************************************************************"
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: a missing server is a failure." >&2
  exit 1
fi
