#!/usr/bin/env bash
# kube-controller-manager from k8s.io/kubernetes at the release of kube-apiserver
# (build-kubernetes.sh, same wrapper and flags): the e2e cluster's namespace controller and
# garbage collector, so deleted namespaces and the objects they own really go away.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$KUBERNETES_VERSION
dir=$(tool_dir kube-controller-manager "$version")
lock_tool kube-controller-manager "$version"
if is_built kube-controller-manager "$version"; then
    log "kube-controller-manager $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
kubernetes_wrapper_module "$work" gourmetgram.example/toolchain/kube-controller-manager "$version"
cd "$work"
go get "k8s.io/kubernetes@$version" "k8s.io/kubernetes/cmd/kube-controller-manager@$version"
mkdir -p "$dir/bin"
go build -trimpath -ldflags "$(kubernetes_ldflags "$version")" -o "$dir/bin/" \
    k8s.io/kubernetes/cmd/kube-controller-manager

cd "$REPO_ROOT" && rm -rf "$work"
mark_built kube-controller-manager "$version" $((SECONDS - start))
log "kube-controller-manager $version: built in $((SECONDS - start))s"
