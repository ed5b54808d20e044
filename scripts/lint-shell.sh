#!/usr/bin/env bash
# Runs shellcheck over every shell script the repository tracks (node scripts, toolchain, setup, CI).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck --external-sources --source-path=SCRIPTDIR "${scripts[@]}"
echo "lint:shell: ${#scripts[@]} scripts, no findings"
