#!/usr/bin/env bash
# crictl from sigs.k8s.io/cri-tools: asks the test cluster's containerd over CRI what the
# kubelet sees (pods, containers, images), for the harness and for people debugging it.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"

release_build crictl "$CRICTL_VERSION" sigs.k8s.io/cri-tools ./cmd/crictl \
    "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
