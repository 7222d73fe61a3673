#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own).
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "NOTE: $CHROMIUM is missing and cannot be installed here (needs root and apt-get);"
echo "      the browser tests will be skipped (under CI=true they fail)."
