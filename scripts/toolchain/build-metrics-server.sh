#!/usr/bin/env bash
# metrics-server from sigs.k8s.io/metrics-server: serves metrics.k8s.io, which the resource
# gate reads (K3s ships it). Version stamp as upstream's Makefile sets it. Its release
# manifest is the kustomization overlays/release, kept with the binary for the harness.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"

pkg=k8s.io/client-go/pkg/version
release_build metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server ./cmd/metrics-server \
    "-X $pkg.gitVersion=$METRICS_SERVER_VERSION -X $pkg.gitCommit=@COMMIT@" \
    manifests/overlays/release/kustomization.yaml manifests/components/release/kustomization.yaml \
    manifests/base/{kustomization,apiservice,deployment,rbac,service}.yaml
