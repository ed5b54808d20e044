#!/usr/bin/env bash
# CoreDNS from github.com/coredns/coredns with its default plugin set: the test cluster's
# DNS, as K3s ships it. Stamped with the commit the way upstream's Makefile does.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"

release_build coredns "$COREDNS_VERSION" github.com/coredns/coredns . \
    "-X github.com/coredns/coredns/coremain.GitCommit=@COMMIT@"
