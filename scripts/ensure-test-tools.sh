#!/usr/bin/env bash
# Debian packages the test suite drives: Chromium for the browser tests (Playwright uses
# /usr/bin/chromium and never downloads a browser), and LibreOffice Calc for the
# "re-saved by LibreOffice" round trip of the Excel template. Installed with apt when
# missing and running as root; otherwise those tests skip (and fail under CI=true).
set -eu
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages for the tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "NOTE: missing ${missing[*]} and cannot install them here (needs root and apt-get);"
echo "      the tests that need them will be skipped (under CI=true they fail)."
