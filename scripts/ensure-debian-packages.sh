#!/usr/bin/env bash
# Usage: scripts/ensure-debian-packages.sh "what they are for" PACKAGE...
# Installs the Debian packages that are missing, with apt, when running as root; otherwise
# says what is missing (the tests that need them then skip, and fail under CI=true).
#   PDF briefs (WeasyPrint): libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core
#   browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser): chromium
#   "re-saved by LibreOffice" round trip of the Excel template: libreoffice-calc-nogui
set -eu
purpose=$1
shift
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages for $purpose: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "NOTE: $purpose need ${missing[*]}, which cannot be installed here (needs root and apt-get)."
