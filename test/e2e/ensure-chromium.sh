#!/usr/bin/env bash
# `npm test` runs this first: the e2e tests drive Debian's Chromium, so a fresh machine gets it
# from Debian's packages (never `npx playwright install`, which downloads a browser and fails).
# A CJK font comes with it so the 简体中文 screenshots show characters, not boxes. valgrind too:
# test/bench-callgrind.test.ts counts instructions under it (bench/instructions.ts).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v valgrind >/dev/null || need+=(valgrind)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  if ! command -v valgrind >/dev/null; then
    echo "The instruction-count test needs valgrind: run 'sudo apt-get install valgrind'." >&2
    exit 1
  fi
  if [ -x /usr/bin/chromium ]; then
    echo "Note: no CJK font; Chinese screenshots will show boxes ('sudo apt-get install fonts-wqy-microhei')." >&2
    exit 0
  fi
  echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing ${need[*]} from Debian for the browser tests..."
apt-get install -y -q "${need[@]}" >/dev/null || { apt-get update -q && apt-get install -y -q "${need[@]}" >/dev/null; }
