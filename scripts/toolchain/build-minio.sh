#!/usr/bin/env bash
# The MinIO server from github.com/minio/minio, built as its Makefile builds it: the test
# cluster's object store (images.d/20-platform.sh).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/release.sh
source "$(dirname "$0")/release.sh"
# shellcheck source=scripts/toolchain/minio-release.sh
source "$(dirname "$0")/minio-release.sh"

release_build minio "$MINIO_VERSION" github.com/minio/minio . \
    "$(minio_ldflags github.com/minio/minio/cmd "$MINIO_VERSION")"
