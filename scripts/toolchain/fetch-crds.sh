#!/usr/bin/env bash
# The CustomResourceDefinitions the e2e cluster loads, taken from the pinned upstream
# modules: Argo Workflows' full CRDs (complete OpenAPI schemas, so the API server
# validates every WorkflowTemplate field) and Argo CD's.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

copy_crds() { # NAME VERSION MODULE SUBDIR GLOB
    local name=$1 version=$2 module=$3 subdir=$4 glob=$5
    local dir src
    dir=$(tool_dir "$name" "$version")
    if is_built "$name" "$version"; then
        log "$name $version: cached"
        return
    fi
    local start=$SECONDS
    src=$(module_dir "$module" "$version")
    [ -d "$src/$subdir" ] || { log "$name: $module@$version has no $subdir"; exit 1; }
    rm -rf "$dir" && mkdir -p "$dir/crds"
    # shellcheck disable=SC2086
    (cd "$src/$subdir" && cp $glob "$dir/crds/")
    chmod -R u+w "$dir"
    mark_built "$name" "$version" $((SECONDS - start))
    log "$name $version: $(find "$dir/crds" -name "*.yaml" | wc -l) CRDs"
}

copy_crds argo-workflows-crds "$ARGO_WORKFLOWS_VERSION" github.com/argoproj/argo-workflows/v3 \
    manifests/base/crds/full 'argoproj.io_*.yaml'
copy_crds argo-cd-crds "$ARGO_CD_VERSION" github.com/argoproj/argo-cd/v3 \
    manifests/crds '*-crd.yaml'
