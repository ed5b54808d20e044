#!/usr/bin/env bash
# argocd (the one binary behind every Argo CD component) from github.com/argoproj/argo-cd/v3
# at ARGO_CD_VERSION, built in a copy of the module with the nested gitops-engine module put
# back from the module proxy, because the release zip leaves that directory out.
#
# Upstream's go.mod replaces github.com/argoproj/argo-cd/gitops-engine with ./gitops-engine, a
# nested module that no module zip contains, and the proxy serves none of the v3.5.4-v3.5.7
# commits of that module. It serves the one of v3.5.3 (GITOPS_ENGINE_VERSION below: its commit
# time is v3.5.3's release time, 2026-09-14T07:15:20Z), so that source fills ./gitops-engine and
# upstream's go.mod, go.sum and replace apply unchanged (same module path: nothing rewritten).
# Facts, from a file-by-file git blob comparison against the argo-cd repository:
#   - its 223 files are release-3.5's gitops-engine/ of 2026-08-22 (961ee40cc327, between v3.5.1
#     and v3.5.2; v3.5.2's gitops-engine, also served, is that tree exactly) plus one fix,
#     pkg/utils/kube/resource_ops.go (and its test): kubectl auth reconcile panics are recovered
#     (#29484);
#   - v3.5.7's own gitops-engine/ could not be compared: no snapshot of the repository reaches
#     its commit. A gitops-engine-only fix cherry-picked into v3.5.4-v3.5.7 is therefore absent
#     here; v3.5.7's code compiles against this source, so no API it calls differs.
# The UI bundle (ui/dist/app) comes from a JavaScript build the zip lacks; a placeholder page
# stands in, as build-argo.sh does for Argo Workflows. Version stamps follow upstream's Makefile;
# the release commit is unknown here, so `argocd version` reports v<VERSION>+unknown, and
# extraBuildInfo names the gitops-engine source.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$ARGO_CD_VERSION
module=github.com/argoproj/argo-cd/v3
engine=github.com/argoproj/argo-cd/gitops-engine
# The gitops-engine source for each Argo CD release this script knows, with its module hash.
case "$version" in
    v3.5.7)
        GITOPS_ENGINE_VERSION=v0.0.0-20260914071520-c9c369efcc5b
        GITOPS_ENGINE_SUM=h1:0tKOg3Fxd5cqVemntg63MqCjk7wqVV32vbVGWOGyhR8= ;;
    *)
        log "argo-cd $version: no gitops-engine source is pinned for this release in build-argo-cd.sh"
        exit 1 ;;
esac

dir=$(tool_dir argo-cd "$version")
lock_tool argo-cd "$version"
if is_built argo-cd "$version"; then
    log "argo-cd $version: cached"
    exit 0
fi

start=$SECONDS
download=$(module_download "$module" "$version")
src=$(json_field Dir <<< "$download")
[ -n "$src" ] || { log "argo-cd: module $module@$version did not download"; exit 1; }
grep -q "^replace $engine => ./gitops-engine\$" "$src/go.mod" ||
    { log "argo-cd $version: go.mod no longer replaces $engine with ./gitops-engine; revisit this script"; exit 1; }
engine_download=$(module_download "$engine" "$GITOPS_ENGINE_VERSION")
engine_src=$(json_field Dir <<< "$engine_download")
engine_sum=$(json_field Sum <<< "$engine_download")
if [ "$engine_sum" != "$GITOPS_ENGINE_SUM" ]; then
    log "argo-cd: $engine@$GITOPS_ENGINE_VERSION has hash ${engine_sum:-none}, pinned $GITOPS_ENGINE_SUM"
    exit 1
fi

work="$dir/src"
rm -rf "$work" && mkdir -p "$dir"
cp -r "$src" "$work" && cp -r "$engine_src" "$work/gitops-engine" && chmod -R u+w "$work"
[ -f "$work/ui/dist/app/index.html" ] || echo "Built without static files." > "$work/ui/dist/app/index.html"

cd "$work"
pkg=$module/common
goflags="${GOFLAGS/-mod=mod/-mod=readonly}"
kubectl_version=$(GOFLAGS="$goflags" go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' k8s.io/client-go)
# The build date is the release's time as the proxy records it, so the binary is reproducible.
build_date=$(sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' "$(json_field Info <<< "$download")")
ldflags="-s -w -X $pkg.version=$(cat VERSION) -X $pkg.buildDate=$build_date -X $pkg.gitTag=$version"
ldflags+=" -X $pkg.gitTreeState=dirty -X $pkg.kubectlVersion=$kubectl_version"
ldflags+=" -X $pkg.extraBuildInfo=gitops-engine@$GITOPS_ENGINE_VERSION,ui-placeholder"
mkdir -p "$dir/bin"
# nice: the machine's two cores are shared with the test suites.
GOFLAGS="$goflags" nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$dir/bin/argocd" ./cmd

cd "$REPO_ROOT" && rm -rf "$work"
mark_built argo-cd "$version" $((SECONDS - start))
log "argo-cd $version: built in $((SECONDS - start))s"
