# shellcheck shell=bash
# Sourced by every builder: repo root, Go settings and the pinned tool versions.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO_ROOT
# shellcheck source=scripts/toolchain/lib.sh
source "$REPO_ROOT/scripts/toolchain/lib.sh"
# shellcheck source=scripts/toolchain/versions.sh
source "$REPO_ROOT/scripts/toolchain/versions.sh"

export PATH="/usr/local/go/bin:$PATH"
# The machine has two cores, shared with the rest of the suite: at most two package
# compiles at a time.
export GOFLAGS="${TOOLCHAIN_GOFLAGS:--p=2} -buildvcs=false -mod=mod"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
GO_LANGUAGE_VERSION=$(go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')
