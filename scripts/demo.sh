#!/usr/bin/env bash
# First README command: install into .venv, then build the demo store and start the assistant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ -d ../shared/datasets/magento ]; then
  exec .venv/bin/shopassist demo --from ../shared/datasets/magento "$@"
fi
exec .venv/bin/shopassist demo "$@"
