#!/usr/bin/env bash
# Debian libraries WeasyPrint needs to write PDF briefs (pip alone cannot provide them).
# Installed with apt when missing and running as root; otherwise PDF downloads fail with a
# clear error and their tests skip (and fail under CI=true).
set -eu
need=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core)
missing=()
for pkg in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian libraries for PDF briefs: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "NOTE: missing ${missing[*]} (needed for PDF briefs) and cannot install them here (needs root and apt-get)."
