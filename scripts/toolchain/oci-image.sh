# shellcheck shell=bash
# oci_image: one OCI image from a FROM-scratch layout, for the one-node test cluster.
# Sourced after common.sh, not run.
#
# The layout (a directory that becomes the image's root) is packed as one layer with umoci,
# every timestamp pinned to the epoch, so the same inputs always give the same digest; then
# `skopeo copy` writes a docker-archive that `ctr images import` loads under REF. The
# archive is cached by the hash of its inputs (the layout's files, modes and links, REF, the
# image config and this file), so an unchanged image is never packed twice.

# oci_image [--cmd ARG]... [--label KEY=VALUE]... [--env KEY=VALUE]... NAME REF LAYOUT USER
# ENTRYPOINT... -> prints the archive's path. --cmd gives the image's default arguments (a pod's
# `args` replace them), --label a label beside the title, --env a variable of the image's
# environment (PATH is /usr/local/bin:/usr/bin:/bin unless one is given).
oci_image() {
    local cmd=() labels=() env=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --cmd) cmd+=("$2"); shift 2 ;;
            --label) labels+=("$2"); shift 2 ;;
            --env) env+=("$2"); shift 2 ;;
            *) break ;;
        esac
    done
    local name=$1 ref=$2 layout=$3 user=$4 entrypoint=("${@:5}")
    local inputs key dir work epoch=1970-01-01T00:00:00Z
    inputs=$(
        cd "$layout" &&
            find . -printf '%p %M %l\n' | LC_ALL=C sort &&
            find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
    )
    [[ " ${env[*]} " == *" PATH="* ]] || env=("PATH=/usr/local/bin:/usr/bin:/bin" "${env[@]}")
    key=$(printf '%s\n' "$inputs" "$ref" "$user" "${entrypoint[@]}" "${cmd[@]/#/cmd }" "${labels[@]/#/label }" "${env[@]/#/env }" \
        "$(cat "${BASH_SOURCE[0]}")" | sha256sum | cut -c1-16)
    dir="$(toolchain_root)/images/$name-$key"
    if [ -f "$dir/.complete" ]; then
        printf '%s\n' "$dir/image.tar"
        return 0
    fi
    work="$dir/work"
    rm -rf "$dir" && mkdir -p "$work"
    umoci init --layout "$work/oci"
    umoci new --image "$work/oci:build"
    umoci unpack --image "$work/oci:build" "$work/bundle" > /dev/null
    cp -a "$layout/." "$work/bundle/rootfs/"
    chown -R 0:0 "$work/bundle/rootfs"
    find "$work/bundle/rootfs" -exec touch -h -d @0 {} +
    umoci repack --image "$work/oci:build" --history.created "$epoch" \
        --history.created_by "gourmetgram oci_image $name" "$work/bundle"
    local config=() part
    for part in "${entrypoint[@]}"; do config+=(--config.entrypoint "$part"); done
    for part in "${cmd[@]}"; do config+=(--config.cmd "$part"); done
    for part in "${labels[@]}"; do config+=(--config.label "$part"); done
    for part in "${env[@]}"; do config+=(--config.env "$part"); done
    umoci config --image "$work/oci:build" --created "$epoch" --no-history \
        --config.user "$user" "${config[@]}" --config.label "org.opencontainers.image.title=$name"
    umoci gc --layout "$work/oci"
    skopeo copy --quiet "oci:$work/oci:build" "docker-archive:$dir/image.tar:$ref"
    skopeo inspect --raw "oci:$work/oci:build" | sha256sum | cut -d' ' -f1 > "$dir/manifest.sha256"
    rm -rf "$work"
    printf 'ref=%s\n' "$ref" > "$dir/.complete"
    printf '%s\n' "$dir/image.tar"
}
