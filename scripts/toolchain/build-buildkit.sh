#!/usr/bin/env bash
# BuildKit's daemon and client (buildkitd, buildctl) from github.com/moby/buildkit at
# BUILDKIT_VERSION, built as upstream's Dockerfile builds them (static, CGO off, its tags and
# version ldflags), at the release the product's BuildKit image pins: the binaries of its local
# stand-in (images.d/70-image-builder.sh, docs/image-builds.md).
#
# Built inside a copy of the checksum-verified module so its own go.mod and go.sum apply
# unchanged. Upstream stamps version.Revision with the release commit; the module proxy does
# not report one for this module, so the module's checksum (h1:...) names the exact source.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"

version=$BUILDKIT_VERSION
tool=buildkit
module=github.com/moby/buildkit
dir=$(tool_dir "$tool" "$version")
lock_tool "$tool" "$version"
if is_built "$tool" "$version"; then
    log "$tool $version: cached"
    exit 0
fi

start=$SECONDS
work="$dir/src"
revision=$(module_work_copy "$module" "$version" "$work")
# The proxy names no commit for this tag: the module's checksum identifies the source instead.
[ -n "$revision" ] || revision=$(module_download "$module" "$version" | json_field Sum)
mkdir -p "$dir/bin"

cd "$work"
ldflags="-s -w -X $module/version.Version=$version -X $module/version.Revision=$revision -X $module/version.Package=$module"
build() { # OUTPUT PACKAGE [TAGS]
    # nice: the machine's cores are shared with the test suites.
    CGO_ENABLED=0 GOFLAGS="${GOFLAGS/-mod=mod/-mod=readonly}" nice -n 10 \
        go build -trimpath -ldflags "$ldflags" -tags "${3:-}" -o "$dir/bin/$1" "$2"
}
build buildctl ./cmd/buildctl
build buildkitd ./cmd/buildkitd "osusergo netgo static_build seccomp"
"$dir/bin/buildctl" --version | grep -qF " $version " ||
    { log "$tool: buildctl --version does not report $version"; exit 1; }

cd "$REPO_ROOT" && rm -rf "$work"
mark_built "$tool" "$version" $((SECONDS - start))
log "$tool $version: built in $((SECONDS - start))s"
