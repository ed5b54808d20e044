#!/usr/bin/env bash
# helm from helm.sh/helm/v4, at the release the pinned Argo CD bundles: the e2e suite
# renders the app chart with it the way Argo CD's repo server does. It builds inside a
# copy of the checksum-verified module so that the module's own go.mod and go.sum apply
# unchanged, and stamps the version the way upstream's Makefile does.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$HELM_VERSION
module=helm.sh/helm/v4
dir=$(tool_dir helm "$version")
if is_built helm "$version"; then
    log "helm $version: cached"
    exit 0
fi

start=$SECONDS
# Argo CD pins the helm it ships in hack/tool-versions.sh (without the leading v).
argocd=$(module_dir github.com/argoproj/argo-cd/v3 "$ARGO_CD_VERSION")
bundled=$(sed -n 's/^helm4_version=\(.*\)$/v\1/p' "$argocd/hack/tool-versions.sh")
if [ "$bundled" != "$version" ]; then
    log "helm $version is not the helm Argo CD $ARGO_CD_VERSION bundles (${bundled:-none found}): update HELM_VERSION in versions.sh"
    exit 1
fi

src=$(module_dir "$module" "$version")
work="$dir/src"
rm -rf "$work" && mkdir -p "$dir"
cp -r "$src" "$work" && chmod -R u+w "$work"

cd "$work"
pkg=$module/internal/version
ldflags="-s -w -X $pkg.version=$version -X $pkg.gitTreeState=clean"
mkdir -p "$dir/bin"
GOFLAGS="${GOFLAGS/-mod=mod/-mod=readonly}" go build -trimpath -ldflags "$ldflags" -o "$dir/bin/helm" ./cmd/helm

cd "$REPO_ROOT" && rm -rf "$work"
mark_built helm "$version" $((SECONDS - start))
log "helm $version: built in $((SECONDS - start))s"
