#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the Galata tests
# (Playwright's own browser download cannot be reached from CI).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_chromium: /usr/bin/chromium is missing; install it with 'sudo apt-get install chromium'" >&2
    exit 1
fi
echo "ensure_chromium: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
test -x /usr/bin/chromium
