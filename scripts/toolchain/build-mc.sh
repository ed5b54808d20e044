#!/usr/bin/env bash
# mc, MinIO's client, from github.com/minio/mc, built as its Makefile builds it: the test
# cluster's bucket Job (images.d/20-platform.sh).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"
# shellcheck source=scripts/toolchain/minio-release.sh
source "$(dirname "$0")/minio-release.sh"

release_build mc "$MC_VERSION" github.com/minio/mc . \
    "$(minio_ldflags github.com/minio/mc/cmd "$MC_VERSION")"
