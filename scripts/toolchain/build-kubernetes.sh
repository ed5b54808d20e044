#!/usr/bin/env bash
# kube-apiserver and kubectl from k8s.io/kubernetes, through a wrapper module that maps
# upstream's ./staging replaces to the published staging modules of the release
# (lib.sh: kubernetes_wrapper_module).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$KUBERNETES_VERSION
dir=$(tool_dir kubernetes "$version")
if is_built kubernetes "$version"; then
    log "kubernetes $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
kubernetes_wrapper_module "$work" gourmetgram.example/toolchain/kubernetes "$version"
cd "$work"

go get "k8s.io/kubernetes@$version" \
    "k8s.io/kubernetes/cmd/kube-apiserver@$version" "k8s.io/kubernetes/cmd/kubectl@$version"

mkdir -p "$dir/bin"
go build -trimpath -ldflags "$(kubernetes_ldflags "$version")" -o "$dir/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl

cd "$REPO_ROOT" && rm -rf "$work"
mark_built kubernetes "$version" $((SECONDS - start))
log "kubernetes $version: built in $((SECONDS - start))s"
