#!/usr/bin/env bash
# Servers and reference tools the gate tests and the load benchmark run against:
#   docker-registry  a real OCI distribution registry for promote/revert tests
#   wrk, hey         reference load generators that `npm run bench` compares the load gate with
# All three come from Debian; apt skips what is already installed at the pinned version.
set -euo pipefail
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "$0")/../lib/apt.sh"

install_pinned "gate tools" \
    docker-registry=2.8.2+ds1-1 \
    wrk=4.1.0-3+b2 \
    hey=0.1.4-2+b4

# The Debian package enables a system-wide registry on :5000; the tests start their own
# on a random loopback port, so the packaged service is stopped where a service manager runs.
stop_packaged_service docker-registry
