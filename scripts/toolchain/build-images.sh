#!/usr/bin/env bash
# The images the one-node test cluster runs, each packed by oci-image.sh. The images come
# from recipes, images.d/NN-<group>.sh, sourced in order; each builds layouts under
# $layouts and calls `add` once per image. A recipe may declare with `stands_in_for` which
# product image reference an image replaces on the cluster (test/cluster/harness/
# local-images.ts is the table the harness maps by). Writes images.json: each image's
# reference, archive and the product reference it stands in for, which the cluster
# harness imports into its containerd.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
# shellcheck source=scripts/toolchain/oci-image.sh
source "$here/oci-image.sh"

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
# Older than every rootfs this build makes or reuses (debian_rootfs touches its stamp).
touch "$layouts/.started"
declare -A archives refs stands_in
names=()

add() { # [--cmd ARG]... [--label K=V]... [--env K=V]... NAME TAG USER ENTRYPOINT... (the layout is $layouts/NAME)
    local options=()
    while [[ "${1:-}" =~ ^--(cmd|label|env)$ ]]; do options+=("$1" "$2"); shift 2; done
    local name=$1 ref="$registry/$1:$2"
    [ -z "${refs[$name]:-}" ] || { log "images: two recipes add '$name'"; exit 1; }
    names+=("$name")
    refs[$name]=$ref
    archives[$name]=$(oci_image "${options[@]}" "$name" "$ref" "$layouts/$name" "$3" "${@:4}")
    log "image $ref"
}
stands_in_for() { # NAME PRODUCT_REF: the image NAME replaces PRODUCT_REF on the test cluster
    stands_in[$1]=$2
}
single_binary() { # NAME FILE [PATH] -> a layout holding FILE as PATH (default /NAME), and a /tmp
    mkdir -p "$layouts/$1/tmp" && chmod 1777 "$layouts/$1/tmp"
    install -D -m 0755 "$2" "$layouts/$1${3:-/$1}"
}

for recipe in "$here"/images.d/[0-9][0-9]-*.sh; do
    # shellcheck source=/dev/null
    source "$recipe"
done
for name in "${!stands_in[@]}"; do
    [ -n "${refs[$name]:-}" ] || { log "images: stands_in_for names '$name', which no recipe adds"; exit 1; }
done

{
    echo "{"
    first=1
    for name in "${names[@]}"; do
        [ $first = 1 ] || echo ","
        first=0
        printf '  "%s": {"ref": "%s", "archive": "%s"' "$name" "${refs[$name]}" "${archives[$name]}"
        [ -z "${stands_in[$name]:-}" ] || printf ', "standsInFor": "%s"' "${stands_in[$name]}"
        printf '}'
    done
    printf '\n}\n'
} > "$(toolchain_root)/images.json"

# Archives of inputs no longer built (an older version, a changed layout) are dropped, and so
# are Debian root filesystems no recipe used.
for old in "$(toolchain_root)"/images/*/; do
    old=${old%/}
    grep -q "\"$old/image.tar\"" "$(toolchain_root)/images.json" || rm -rf "$old"
done
find "$(toolchain_root)/debian-rootfs" -mindepth 2 -maxdepth 2 -name .complete ! -newer "$layouts/.started" \
    -printf '%h\0' 2> /dev/null | xargs -0r rm -rf
