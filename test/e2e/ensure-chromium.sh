#!/usr/bin/env bash
# `npm test` runs this first: the e2e tests drive Debian's Chromium, so a fresh machine gets it
# from Debian's packages (never `npx playwright install`, which downloads a browser and fails).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing Debian's chromium for the browser tests..."
apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium >/dev/null; }
