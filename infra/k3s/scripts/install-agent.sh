#!/usr/bin/env bash
# Joins this node to the cluster as a K3s agent (or upgrades it to K3S_VERSION), with the
# seccomp profiles of seccomp/ in its kubelet's seccomp directory and the AppArmor profiles of
# apparmor/ loaded.
# Environment: K3S_VERSION NODE_IP SERVER_URL REGISTRY_HOST REGISTRY_ENDPOINT
#   K3S_INSTALLER_SHA256 K3S_BINARY_SHA256 (checked before anything is installed)
# Standard input: the cluster's join token (kept off the command line and out of logs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/k3s/scripts/common.sh
. "$here/common.sh"

require_env K3S_VERSION NODE_IP SERVER_URL REGISTRY_HOST REGISTRY_ENDPOINT
IFS= read -r K3S_TOKEN || true
if [ -z "$K3S_TOKEN" ]; then
    echo "error: the join token must be given on standard input" >&2
    exit 2
fi
export K3S_TOKEN K3S_URL="$SERVER_URL"
write_registries "$REGISTRY_HOST" "$REGISTRY_ENDPOINT"
install_seccomp_profiles "$here/seccomp"
install_apparmor_profiles "$here/apparmor"

install_k3s k3s-agent agent \
    --node-ip "$NODE_IP" \
    --flannel-iface "$(interface_for "$NODE_IP")"
