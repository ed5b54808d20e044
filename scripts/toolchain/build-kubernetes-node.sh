#!/usr/bin/env bash
# kubelet, kube-proxy and kube-scheduler from k8s.io/kubernetes at the release of
# kube-apiserver, with the same wrapper module and version stamp as
# build-kube-controller-manager.sh: the node of the one-node test cluster (test/cluster).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$KUBERNETES_VERSION
dir=$(tool_dir kubernetes-node "$version")
lock_tool kubernetes-node "$version"
if is_built kubernetes-node "$version"; then
    log "kubernetes-node $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
kubernetes_wrapper_module "$work" gourmetgram.example/toolchain/kubernetes-node "$version"
cd "$work"
commands=(kubelet kube-proxy kube-scheduler)
packages=("${commands[@]/#/k8s.io/kubernetes/cmd/}")
go get "k8s.io/kubernetes@$version" "${packages[@]/%/@$version}"
mkdir -p "$dir/bin"
# nice: the machine's two cores are shared with the test suites.
nice -n 10 go build -trimpath -ldflags "$(kubernetes_ldflags "$version")" -o "$dir/bin/" "${packages[@]}"

cd "$REPO_ROOT" && rm -rf "$work"
mark_built kubernetes-node "$version" $((SECONDS - start))
log "kubernetes-node $version (${commands[*]}): built in $((SECONDS - start))s"
