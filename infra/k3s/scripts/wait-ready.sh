#!/usr/bin/env bash
# Waits until the cluster has EXPECTED_NODES nodes, all Ready, or fails after TIMEOUT_SECONDS.
set -euo pipefail
: "${EXPECTED_NODES:?EXPECTED_NODES must be set}" "${TIMEOUT_SECONDS:?TIMEOUT_SECONDS must be set}"

deadline=$((SECONDS + TIMEOUT_SECONDS))
while true; do
    ready=$(k3s kubectl get nodes --no-headers 2>/dev/null | awk '$2 == "Ready" { n++ } END { print n + 0 }')
    if [ "$ready" -ge "$EXPECTED_NODES" ]; then
        echo "all $ready nodes are Ready"
        exit 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "error: only $ready of $EXPECTED_NODES nodes became Ready within ${TIMEOUT_SECONDS}s" >&2
        k3s kubectl get nodes -o wide >&2 || true
        exit 1
    fi
    sleep 5
done
