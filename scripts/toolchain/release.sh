# shellcheck shell=bash
# release_build: the build shared by the test cluster's add-ons (CoreDNS, metrics-server,
# the local-path provisioner, crictl). Sourced after common.sh, not run.
#
# Each is built inside a copy of its checksum-verified module, so the module's own go.mod
# and go.sum apply unchanged (none of them has replace directives), the way their
# Makefiles build a release.

# release_build NAME VERSION MODULE PACKAGE LDFLAGS [MANIFEST...] -> $(tool_dir NAME
# VERSION)/bin/NAME, stamped complete, and each MANIFEST (a file of the module: upstream's
# install manifests, which the cluster harness applies) under manifests/. PACKAGE is
# relative to the module root (`.` or ./cmd/x); in LDFLAGS, @COMMIT@ stands for the
# release's commit.
release_build() {
    local name=$1 version=$2 module=$3 package=$4 ldflags=$5 manifests=("${@:6}")
    local dir commit work start manifest
    dir=$(tool_dir "$name" "$version")
    lock_tool "$name" "$version"
    if is_built "$name" "$version"; then
        log "$name $version: cached"
        return 0
    fi
    start=$SECONDS
    work="$dir/src"
    commit=$(module_work_copy "$module" "$version" "$work") || return 1
    mkdir -p "$dir/bin"
    (
        cd "$work" || exit 1
        # nice: the machine's two cores are shared with the test suites.
        GOFLAGS="${GOFLAGS/-mod=mod/-mod=readonly}" nice -n 10 go build -trimpath \
            -ldflags "-s -w ${ldflags//@COMMIT@/$commit}" -o "$dir/bin/$name" "$package"
    )
    for manifest in "${manifests[@]}"; do
        install -D -m 0644 "$work/$manifest" "$dir/manifests/$manifest"
    done
    rm -rf "$work"
    mark_built "$name" "$version" $((SECONDS - start))
    log "$name $version: built in $((SECONDS - start))s"
}
