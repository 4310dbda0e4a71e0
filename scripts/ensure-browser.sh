#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests.
# Installs it when missing and we can (root + apt-get). Otherwise the tests skip loudly,
# except with CI=true, where a missing browser fails the run.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "************************************************************************"
echo "* Chromium is not installed at $CHROMIUM and cannot be installed here."
echo "* Browser tests will be SKIPPED. Install it with: apt-get install chromium"
echo "************************************************************************"
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: a missing browser is a failure." >&2
  exit 1
fi
