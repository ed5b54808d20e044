#!/usr/bin/env bash
# Starts the one-node test cluster (test/cluster) in the background and follows its progress
# until it is ready, then prints the kubeconfig to use. With --lab (npm run lab:local) it
# then stands the whole lab on it with `pulumi up` of stacks/Pulumi.local.yaml and prints the
# URLs. Its files live under .cache/cluster (or $GOURMETGRAM_CLUSTER_DIR);
# scripts/cluster/down.sh stops it and puts the machine back as it was. Needs root and the
# toolchain (bash scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"

mode=up ready='^ready' minutes=15
case "${1:-}" in
    "") ;;
    --lab) mode=lab ready='^lab ready' minutes=45 ;;
    *) echo "usage: $0 [--lab]" >&2; exit 2 ;;
esac

dir=${GOURMETGRAM_CLUSTER_DIR:-$PWD/.cache/cluster}
pidfile=$dir/supervisor.pid
log=$dir/supervisor.log
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "cluster: already running (pid $(cat "$pidfile")); $(grep -m1 "$ready" "$log" || echo 'not ready; see '"$log")"
    exit 0
fi
mkdir -p "$dir"
if [ "$mode" = lab ]; then
    # Builds whatever of the toolchain and the images is missing; a built one is reused.
    bash scripts/toolchain/build.sh
fi
# Its own session: a Ctrl-C here does not reach the cluster; down.sh stops it.
setsid tsx test/cluster/cli.ts "$mode" "$dir/run" > "$log" 2>&1 < /dev/null &
echo $! > "$pidfile"

shown=0
for _ in $(seq 1 $((minutes * 60))); do
    lines=$(wc -l < "$log")
    if [ "$lines" -gt "$shown" ]; then
        sed -n "$((shown + 1)),${lines}p" "$log"
        shown=$lines
    fi
    if grep -q "$ready" "$log"; then
        sed -n "$((shown + 1)),\$p" "$log"
        echo "cluster: export KUBECONFIG=$(sed -n "s/$ready.*KUBECONFIG=//p" "$log")"
        echo "cluster: stop it with bash scripts/cluster/down.sh"
        exit 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        sed -n "$((shown + 1)),\$p" "$log"
        echo "cluster: failed to start (log: $log)" >&2
        rm -f "$pidfile"
        exit 1
    fi
    sleep 1
done
echo "cluster: not ready after $minutes minutes; stopping it" >&2
bash scripts/cluster/down.sh
exit 1
