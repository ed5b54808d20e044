#!/usr/bin/env bash
# The Kubernetes resource plugin (pulumi-resource-kubernetes) at the release of the npm SDK,
# from github.com/pulumi/pulumi-kubernetes/provider/v4 at the pseudo-version of that
# release's commit (the module proxy refuses the provider/v4 tags). Upstream's main embeds
# a schema and a Terraform mapping that its `go generate` writes and the module zip lacks;
# the zip has the sources they come from, so a wrapper module generates both (the schema
# stamped with the release) and serves them through upstream's provider package.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$PULUMI_KUBERNETES_VERSION
module=github.com/pulumi/pulumi-kubernetes/provider/v4
dir=$(tool_dir pulumi-kubernetes "$version")
lock_tool pulumi-kubernetes "$version"
if is_built pulumi-kubernetes "$version"; then
    log "pulumi-kubernetes $version: cached"
    exit 0
fi

start=$SECONDS
src=$(module_dir "$module" "$PULUMI_KUBERNETES_MODULE_VERSION")
work="$dir/src"
wrapper_module "$work" gourmetgram.example/toolchain/pulumi-kubernetes
cd "$work"

# The embedded files, as upstream's generator writes them: compact JSON, the schema
# carrying the release's version.
python3 - "$src/cmd/pulumi-resource-kubernetes" "${version#v}" <<'PY'
import json, sys
upstream, release = sys.argv[1], sys.argv[2]
compact = {"separators": (",", ":"), "ensure_ascii": False}
with open(f"{upstream}/schema.json", encoding="utf-8") as f:
    schema = json.load(f)
schema["version"] = release
with open("schema.json", "w", encoding="utf-8") as f:
    json.dump(schema, f, **compact)
with open(f"{upstream}/terraform-mapping.json", encoding="utf-8") as f:
    mapping = json.load(f)
with open("terraform-mapping.json", "w", encoding="utf-8") as f:
    json.dump(mapping, f, **compact)
PY

cat > main.go <<'GO'
// pulumi-resource-kubernetes: upstream's provider, serving the schema and Terraform mapping
// generated next to this file.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
GO

# Upstream replaces sdk/v4 with its sibling directory; the release's published sdk/v4
# stands in for it.
go get "$module@$PULUMI_KUBERNETES_MODULE_VERSION" "github.com/pulumi/pulumi-kubernetes/sdk/v4@$version"
go mod tidy
mkdir -p "$dir/bin"
go build -trimpath -ldflags "-s -w -X $module/pkg/version.Version=${version#v}" \
    -o "$dir/bin/pulumi-resource-kubernetes" .

cd "$REPO_ROOT" && rm -rf "$work"
mark_built pulumi-kubernetes "$version" $((SECONDS - start))
log "pulumi-kubernetes $version: built in $((SECONDS - start))s"
