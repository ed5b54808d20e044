#!/usr/bin/env bash
# kube-apiserver and kubectl from k8s.io/kubernetes. The upstream module points its
# k8s.io/* staging dependencies at ./staging/src with replace directives, which a
# dependent module cannot see, so a wrapper module maps each one to the published
# staging module of the same release (v1.X.Y -> v0.X.Y).
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
staging_version="v0.${version#v1.}"
work="$dir/src"
wrapper_module "$work" gourmetgram.example/toolchain/kubernetes
cd "$work"

# The replace block of the upstream go.mod names every staging module.
go mod download -json "k8s.io/kubernetes@$version" > /dev/null
upstream_mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$version.mod"
{
    echo
    echo "replace ("
    sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\t\1 => \1 '"$staging_version"'#p' "$upstream_mod"
    echo ")"
} >> go.mod
grep -q "k8s.io/api => k8s.io/api $staging_version" go.mod ||
    { log "could not read the staging replaces from $upstream_mod"; exit 1; }

go get "k8s.io/kubernetes@$version" \
    "k8s.io/kubernetes/cmd/kube-apiserver@$version" "k8s.io/kubernetes/cmd/kubectl@$version"

minor=${version#v1.}; minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean"
done
mkdir -p "$dir/bin"
go build -trimpath -ldflags "$ldflags" -o "$dir/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl

cd "$REPO_ROOT" && rm -rf "$work"
mark_built kubernetes "$version" $((SECONDS - start))
log "kubernetes $version: built in $((SECONDS - start))s"
