#!/usr/bin/env bash
# The local-path provisioner from github.com/rancher/local-path-provisioner: the test
# cluster's default storage class, as K3s ships it. Version stamp as scripts/build sets it.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"

release_build local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
    github.com/rancher/local-path-provisioner . "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION" \
    deploy/local-path-storage.yaml
