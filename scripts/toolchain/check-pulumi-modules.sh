#!/usr/bin/env bash
# Reports whether the Go module proxy serves every module the real-engine leg of the e2e
# suite (`pulumi up` / `preview --policy-pack` / `destroy` against the local API server)
# would be built from. Exits 1 naming each one it refuses. Not run by setup: the leg is
# not built until all of these are served (see docs/e2e.md).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

npm_version() {
    node -p "require('$REPO_ROOT/node_modules/$1/package.json').version"
}
pulumi_sdk=$(npm_version @pulumi/pulumi)
kubernetes_sdk=$(npm_version @pulumi/kubernetes)
command_sdk=$(npm_version @pulumi/command)

# MODULE VERSION WHAT
wanted=(
    "github.com/pulumi/pulumi/pkg/v3 v$pulumi_sdk the pulumi CLI and engine"
    "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 v$pulumi_sdk the Node.js language host"
    "github.com/pulumi/pulumi-kubernetes/provider/v4 v$kubernetes_sdk the kubernetes resource plugin"
    "github.com/pulumi/pulumi-command/provider v$command_sdk the command resource plugin"
)
refused=0
for line in "${wanted[@]}"; do
    read -r module version what <<< "$line"
    if proxy_serves "$module" "$version"; then
        echo "served   $module@$version ($what)"
    else
        echo "REFUSED  $module@$version ($what)"
        refused=$((refused + 1))
    fi
done
[ "$refused" -eq 0 ]
