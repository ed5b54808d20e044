#!/usr/bin/env bash
# One command from a fresh clone to a machine that can run every test:
# npm dependencies (with a Node >= 22 that npm scripts pick up first on PATH), then
# each step in scripts/setup.d in order. Every step is idempotent and caches its work
# under .cache/, keyed by version, so a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
else
    npm install --no-audit --no-fund
fi

for step in scripts/setup.d/*.sh; do
    [ -e "$step" ] || continue
    echo "== setup: ${step##*/}"
    bash "$step"
done
