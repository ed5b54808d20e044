#!/usr/bin/env bash
# etcd from go.etcd.io/etcd/server/v3, the storage behind the e2e kube-apiserver.
# Upstream's go.mod replaces its sibling modules with ../ paths; the wrapper module
# resolves them to the published modules of the same release instead.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$ETCD_VERSION
dir=$(tool_dir etcd "$version")
if is_built etcd "$version"; then
    log "etcd $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
wrapper_module "$work" gourmetgram.example/toolchain/etcd
cd "$work"
go get "go.etcd.io/etcd/server/v3@$version"
mkdir -p "$dir/bin"
go build -trimpath -ldflags "-s -w" -o "$dir/bin/etcd" go.etcd.io/etcd/server/v3

cd "$REPO_ROOT" && rm -rf "$work"
mark_built etcd "$version" $((SECONDS - start))
log "etcd $version: built in $((SECONDS - start))s"
