#!/usr/bin/env bash
# The Pulumi CLI (engine included) from github.com/pulumi/pulumi/pkg/v3, built as a Go tool of
# a wrapper module, for the engine leg of the e2e suite. Two replaces make the build resolve
# from the module proxy: the clipboard fork the CLI's own go.mod points at, and the
# golang.org/x/text release the other dependencies agree on. Beside it goes
# pulumi-resource-pulumi-nodejs, the plugin the engine starts for dynamic providers: in
# official releases a launcher of node on @pulumi/pulumi's dynamic provider, resolved from
# the program's directory (the plugin's working directory).
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$PULUMI_VERSION
dir=$(tool_dir pulumi "$version")
lock_tool pulumi "$version"
if is_built pulumi "$version"; then
    log "pulumi $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
wrapper_module "$work" gourmetgram.example/toolchain/pulumi
cd "$work"
cat >> go.mod <<MOD

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.41.0
MOD
cli=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
sdk=github.com/pulumi/pulumi/sdk/v3
# Asking for the SDK at the same release keeps the two in step; it is no tool itself.
go get -tool "$cli@$version" "$sdk@$version"
go mod edit -droptool "$sdk"

mkdir -p "$dir/bin"
go build -trimpath -ldflags "-s -w -X $sdk/go/common/version.Version=$version" -o "$dir/bin/pulumi" "$cli"
cat > "$dir/bin/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
# Dynamic providers: the engine starts this in the program's directory.
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"
SH
chmod +x "$dir/bin/pulumi-resource-pulumi-nodejs"

cd "$REPO_ROOT" && rm -rf "$work"
mark_built pulumi "$version" $((SECONDS - start))
log "pulumi $version: built in $((SECONDS - start))s"
