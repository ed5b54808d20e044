#!/usr/bin/env bash
# The argo CLI (for `argo lint --offline`) from github.com/argoproj/argo-workflows/v3.
# The CLI links the server, which embeds the web UI bundle (ui/dist/app) that only a
# JavaScript build produces and the module zip therefore lacks. Like upstream's
# Makefile with STATIC_FILES=false, the build gets a placeholder page instead. It
# builds inside a copy of the checksum-verified module so that the module's own
# go.mod, go.sum and replace directives apply unchanged.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$ARGO_WORKFLOWS_VERSION
module=github.com/argoproj/argo-workflows/v3
dir=$(tool_dir argo "$version")
if is_built argo "$version"; then
    log "argo $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
commit=$(module_work_copy "$module" "$version" "$work")
mkdir -p "$work/ui/dist/app"
echo "Built without static files." > "$work/ui/dist/app/index.html"

cd "$work"
pkg=github.com/argoproj/argo-workflows/v3
# With the tag's commit, `argo version` reports the release exactly as upstream's build does.
ldflags="-s -w -X $pkg.version=$version -X $pkg.gitTag=$version -X $pkg.gitTreeState=clean"
ldflags+=" -X $pkg.gitCommit=$commit"
mkdir -p "$dir/bin"
GOFLAGS="${GOFLAGS/-mod=mod/-mod=readonly}" go build -trimpath -ldflags "$ldflags" -o "$dir/bin/argo" ./cmd/argo

cd "$REPO_ROOT" && rm -rf "$work"
mark_built argo "$version" $((SECONDS - start))
log "argo $version: built in $((SECONDS - start))s"
