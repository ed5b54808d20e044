#!/usr/bin/env bash
# Servers and reference tools the gate tests and the load benchmark run against:
#   docker-registry  a real OCI distribution registry for promote/revert tests
#   wrk, hey         reference load generators that `npm run bench` compares the load gate with
# All three come from Debian; apt skips what is already installed at the pinned version.
set -euo pipefail

declare -A pinned=(
    [docker-registry]="2.8.2+ds1-1"
    [wrk]="4.1.0-3+b2"
    [hey]="0.1.4-2+b4"
)

missing=()
for pkg in "${!pinned[@]}"; do
    have=$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)
    if [ "$have" != "install ok installed ${pinned[$pkg]}" ]; then
        missing+=("$pkg=${pinned[$pkg]}")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "gate tools: docker-registry, wrk, hey are installed"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: the registry only needs its binary, not a system service setup.
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The Debian package enables a system-wide registry on :5000; the tests start their own
# on a random loopback port, so the packaged service is stopped where a service manager runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl disable --now docker-registry || true
fi
