#!/usr/bin/env bash
# Installs (or upgrades to K3S_VERSION) the K3s server on the first node, with the seccomp
# profiles of seccomp/ in its kubelet's seccomp directory and the AppArmor profiles of
# apparmor/ loaded.
# Environment: K3S_VERSION NODE_IP PUBLIC_IP SERVICE_CIDR REGISTRY_HOST REGISTRY_ENDPOINT
#   K3S_INSTALLER_SHA256 K3S_BINARY_SHA256 (checked before anything is installed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/k3s/scripts/common.sh
. "$here/common.sh"

require_env K3S_VERSION NODE_IP PUBLIC_IP SERVICE_CIDR REGISTRY_HOST REGISTRY_ENDPOINT
write_registries "$REGISTRY_HOST" "$REGISTRY_ENDPOINT"
install_seccomp_profiles "$here/seccomp"
install_apparmor_profiles "$here/apparmor"

# K3s's bundled Traefik owns port 80: the app's public address, split between production and
# canary (infra/apps/public-route.ts); each environment has its own port besides.
# --secrets-encryption: Secrets (database, MinIO, MLflow and Argo logins) are stored encrypted
# (AES-CBC, a key K3s generates on the server) in its datastore, not as plain base64.
install_k3s k3s server \
    --node-ip "$NODE_IP" \
    --advertise-address "$NODE_IP" \
    --tls-san "$PUBLIC_IP" \
    --flannel-iface "$(interface_for "$NODE_IP")" \
    --service-cidr "$SERVICE_CIDR" \
    --write-kubeconfig-mode 0600 \
    --secrets-encryption
