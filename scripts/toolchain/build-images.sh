#!/usr/bin/env bash
# The images the one-node test cluster runs, each FROM scratch (oci-image.sh): the pod
# sandbox's pause process (Debian's catatonit, run as -P), busybox (the local-path helper
# pods and the test workloads), and CoreDNS, metrics-server and the local-path provisioner
# from the binaries their build steps made. Writes images.json: each image's reference and
# archive, which the cluster harness imports into its containerd.
set -euo pipefail
# shellcheck source=scripts/toolchain/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=scripts/toolchain/oci-image.sh
source "$(dirname "$0")/oci-image.sh"

registry=gourmetgram.local
# A Debian version as an image tag: no epoch, and `+` is not allowed in a tag.
deb_tag() {
    local version
    version=$(dpkg-query -W -f='${Version}' "$1")
    version=${version#*:}
    printf '%s\n' "${version//+/_}"
}
built_binary() { # NAME VERSION -> the built binary, or fail naming the step to run
    is_built "$1" "$2" || { log "images: $1 $2 is not built: run build.sh $1"; exit 1; }
    printf '%s\n' "$(tool_dir "$1" "$2")/bin/$1"
}

layouts=$(mktemp -d)
trap 'rm -rf "$layouts"' EXIT
declare -A archives refs

add() { # NAME TAG USER ENTRYPOINT... (the layout is $layouts/NAME)
    local name=$1 ref="$registry/$1:$2"
    refs[$name]=$ref
    archives[$name]=$(oci_image "$name" "$ref" "$layouts/$name" "$3" "${@:4}")
    log "image $ref"
}
single_binary() { # NAME FILE [PATH] -> a layout holding FILE as PATH (default /NAME), and a /tmp
    mkdir -p "$layouts/$1/tmp" && chmod 1777 "$layouts/$1/tmp"
    install -D -m 0755 "$2" "$layouts/$1${3:-/$1}"
}

single_binary pause /usr/bin/catatonit
add pause "catatonit-$(deb_tag catatonit)" 65535:65535 /pause -P

mkdir -p "$layouts/busybox/bin" "$layouts/busybox/tmp" && chmod 1777 "$layouts/busybox/tmp"
install -m 0755 /bin/busybox "$layouts/busybox/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$layouts/busybox/bin/$applet"
done
add busybox "$(deb_tag busybox-static)" 0:0 /bin/sh

single_binary coredns "$(built_binary coredns "$COREDNS_VERSION")"
add coredns "$COREDNS_VERSION" 0:0 /coredns
single_binary metrics-server "$(built_binary metrics-server "$METRICS_SERVER_VERSION")"
add metrics-server "$METRICS_SERVER_VERSION" 65534:65534 /metrics-server
# Upstream's manifest runs it by name, from PATH.
single_binary local-path-provisioner "$(built_binary local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")" \
    /usr/bin/local-path-provisioner
add local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" 0:0 /usr/bin/local-path-provisioner

{
    echo "{"
    first=1
    for name in pause busybox coredns metrics-server local-path-provisioner; do
        [ $first = 1 ] || echo ","
        first=0
        printf '  "%s": {"ref": "%s", "archive": "%s"}' "$name" "${refs[$name]}" "${archives[$name]}"
    done
    printf '\n}\n'
} > "$(toolchain_root)/images.json"

# Archives of inputs no longer built (an older version, a changed layout) are dropped.
for old in "$(toolchain_root)"/images/*/; do
    old=${old%/}
    grep -q "\"$old/image.tar\"" "$(toolchain_root)/images.json" || rm -rf "$old"
done
