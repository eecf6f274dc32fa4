#!/usr/bin/env bash
# System packages the tests need beyond Python: headless Chromium (browser tests of the chat UI and widget)
# and a font for its screenshots. Idempotent and quiet: does nothing when everything is already installed.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "system-packages: cannot install ${need[*]} (not root, no sudo); browser tests will be skipped" >&2
    exit 0
  fi
fi
echo "system-packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/shopassist-apt.log 2>&1; then
  $SUDO apt-get update -qq >>/tmp/shopassist-apt.log 2>&1
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >>/tmp/shopassist-apt.log 2>&1 \
    || { echo "system-packages: apt-get failed (see /tmp/shopassist-apt.log); browser tests will be skipped" >&2; exit 0; }
fi
