#!/usr/bin/env bash
# Debian tools the tests run: shellcheck lints every shell script (npm run lint:shell), including
# the ones that run on the nodes.
set -euo pipefail
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "$0")/../lib/apt.sh"

install_pinned system shellcheck=0.9.0-1
