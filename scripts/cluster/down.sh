#!/usr/bin/env bash
# Stops the cluster scripts/cluster/up.sh started: signals its supervisor (by the PID up.sh
# recorded), which stops every process it started and puts the machine back as it was.
set -euo pipefail
cd "$(dirname "$0")/../.."

dir=${GOURMETGRAM_CLUSTER_DIR:-$PWD/.cache/cluster}
pidfile=$dir/supervisor.pid
log=$dir/supervisor.log
if [ ! -f "$pidfile" ]; then
    echo "cluster: not running (no $pidfile)"
    exit 0
fi
pid=$(cat "$pidfile")
# The PID is ours only while it still runs the cluster's supervisor.
if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -Eq 'test/cluster/cli.ts (up|lab)'; then
    echo "cluster: supervisor $pid is gone; nothing to stop"
    rm -f "$pidfile"
    exit 0
fi
shown=$(wc -l < "$log")
kill -TERM "$pid"
for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
done
sed -n "$((shown + 1)),\$p" "$log"
if kill -0 "$pid" 2>/dev/null; then
    echo "cluster: supervisor $pid still running after 5 minutes (log: $log)" >&2
    exit 1
fi
rm -f "$pidfile"
grep -q 'the machine is as it was' "$log"
