#!/usr/bin/env bash
# The Argo Workflows controller and executor (workflow-controller, argoexec) from
# github.com/argoproj/argo-workflows/v3 at ARGO_WORKFLOWS_VERSION: the images the one-node
# cluster runs for the lab's Argo Workflows (the server is the argo CLI, build-argo.sh).
#
# Two things the module zip lacks are restored in a copy of the checksum-verified module:
# - workflow/executor/osspecific/signal_linux.go is, upstream, a symbolic link to
#   signal_darwin.go (module zips drop links), so the copy gets that file under the link's name;
# - argoexec is built with CGO off, as upstream's image is: the emissary copies it into every
#   step's container, whatever that image's C library.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$ARGO_WORKFLOWS_VERSION
tool=argo-workflows-controller
module=github.com/argoproj/argo-workflows/v3
dir=$(tool_dir "$tool" "$version")
lock_tool "$tool" "$version"
if is_built "$tool" "$version"; then
    log "$tool $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
commit=$(module_work_copy "$module" "$version" "$work")
mkdir -p "$dir/bin"
signals="$work/workflow/executor/osspecific"
[ ! -e "$signals/signal_linux.go" ] || { log "$tool: $module@$version now ships signal_linux.go; drop the copy"; exit 1; }
cp "$signals/signal_darwin.go" "$signals/signal_linux.go"

cd "$work"
pkg=github.com/argoproj/argo-workflows/v3
ldflags="-s -w -X $pkg.version=$version -X $pkg.gitTag=$version -X $pkg.gitTreeState=clean -X $pkg.gitCommit=$commit"
build() { # OUTPUT PACKAGE
    CGO_ENABLED=0 GOFLAGS="${GOFLAGS/-mod=mod/-mod=readonly}" go build -trimpath -ldflags "$ldflags" -o "$dir/bin/$1" "$2"
}
build workflow-controller ./cmd/workflow-controller
build argoexec ./cmd/argoexec

cd "$REPO_ROOT" && rm -rf "$work"
mark_built "$tool" "$version" $((SECONDS - start))
log "$tool $version: built in $((SECONDS - start))s"
