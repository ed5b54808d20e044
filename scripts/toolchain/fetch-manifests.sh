#!/usr/bin/env bash
# The Argo install manifests for offline clusters, taken from the pinned upstream modules:
# Argo CD's release install.yaml as committed, and Argo Workflows' cluster install built with
# kustomize (kubectl's built-in) and pinned to the release's images, as its release does.
# The e2e stack points gourmetgram:argo*Manifest at these files instead of the upstream URLs.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

argo_cd() {
    local name=argo-cd-manifests dir src start=$SECONDS
    dir=$(tool_dir "$name" "$ARGO_CD_VERSION")
    if is_built "$name" "$ARGO_CD_VERSION"; then log "$name $ARGO_CD_VERSION: cached"; return; fi
    src=$(module_dir github.com/argoproj/argo-cd/v3 "$ARGO_CD_VERSION")
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$src/manifests/install.yaml" "$dir/install.yaml"
    chmod u+w "$dir/install.yaml"
    mark_built "$name" "$ARGO_CD_VERSION" $((SECONDS - start))
    log "$name $ARGO_CD_VERSION: install.yaml"
}

argo_workflows() {
    local name=argo-workflows-manifests dir src kubectl start=$SECONDS
    dir=$(tool_dir "$name" "$ARGO_WORKFLOWS_VERSION")
    if is_built "$name" "$ARGO_WORKFLOWS_VERSION"; then log "$name $ARGO_WORKFLOWS_VERSION: cached"; return; fi
    kubectl="$(tool_dir kubernetes "$KUBERNETES_VERSION")/bin/kubectl"
    [ -x "$kubectl" ] || { log "$name needs kubectl: run 'build.sh kubernetes' first"; exit 1; }
    src=$(module_dir github.com/argoproj/argo-workflows/v3 "$ARGO_WORKFLOWS_VERSION")
    rm -rf "$dir" && mkdir -p "$dir/upstream" "$dir/pinned"
    cp -r "$src/manifests/." "$dir/upstream/"
    chmod -R u+w "$dir/upstream"
    # Upstream's kustomizations say :latest; a release sets its own tag on every image.
    cat > "$dir/pinned/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../upstream/cluster-install
images:
  - name: quay.io/argoproj/workflow-controller
    newTag: $ARGO_WORKFLOWS_VERSION
  - name: quay.io/argoproj/argocli
    newTag: $ARGO_WORKFLOWS_VERSION
YAML
    "$kubectl" kustomize --load-restrictor LoadRestrictionsNone "$dir/pinned" > "$dir/install.yaml"
    if grep -q ':latest' "$dir/install.yaml"; then
        log "$name: an image is still unpinned in the built manifest"; exit 1
    fi
    mark_built "$name" "$ARGO_WORKFLOWS_VERSION" $((SECONDS - start))
    log "$name $ARGO_WORKFLOWS_VERSION: install.yaml ($(grep -c '^kind:' "$dir/install.yaml") objects)"
}

argo_cd
argo_workflows
