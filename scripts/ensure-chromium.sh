#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (with the Liberation fonts its pages and PNGs use).
# Installs both when they are missing and we run as root, as `playwright install --with-deps` does;
# otherwise prints the one line to run and fails, before any test starts.
set -euo pipefail
have() { command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi liberation; }
have && exit 0
apt_line='apt-get update && apt-get -o DPkg::Lock::Timeout=900 install -y chromium fonts-liberation'
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing Debian's chromium and fonts-liberation for the browser tests"
  log=$(mktemp)
  if { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y chromium fonts-liberation; } >"$log" 2>&1 && have; then
    rm -f "$log"; exit 0
  fi
  tail -n 20 "$log" >&2
fi
echo "npm test: the browser tests need Debian's Chromium and the Liberation fonts. Run (as root):" >&2
echo "  $apt_line" >&2
exit 1
