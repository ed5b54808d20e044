# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# The in-cluster image builder that replaces Kaniko (docs/image-builds.md): BuildKit's buildkitd
# and buildctl (build-buildkit.sh) and upstream's buildctl-daemonless.sh, with Debian's runc (the
# OCI worker's runtime) and uidmap in a bookworm rootfs; images.d/image-builder/image-build, the
# entrypoint, runs them in the build's user namespace. No product reference names this image yet,
# so it stands in for nothing. Sourced by build-images.sh, not run.
# shellcheck source=scripts/toolchain/debian-rootfs.sh
source "$here/debian-rootfs.sh"
image_builder=$here/images.d/image-builder

is_built buildkit "$BUILDKIT_VERSION" ||
    { log "images: buildkit $BUILDKIT_VERSION is not built: run build.sh buildkit"; exit 1; }
buildkit_bin="$(tool_dir buildkit "$BUILDKIT_VERSION")/bin"
buildkit_src=$(module_dir github.com/moby/buildkit "$BUILDKIT_VERSION")

rootfs=$(debian_rootfs image-builder runc,uidmap,ca-certificates "$image_builder/rootfs")
mkdir -p "$layouts/image-builder"
tar -C "$layouts/image-builder" -xf "$rootfs/rootfs.tar"
install -m 0755 "$buildkit_bin/buildkitd" "$buildkit_bin/buildctl" \
    "$buildkit_src/examples/buildctl-daemonless/buildctl-daemonless.sh" "$layouts/image-builder/usr/bin/"
# Where buildkitd keeps its state and socket, and runc its own: writable by the namespace's ids when the pod
# mounts no volume there (oci_image keeps modes, not owners).
install -d -m 1777 "$layouts/image-builder/var/lib/buildkit" "$layouts/image-builder/run/buildkit" \
    "$layouts/image-builder/run/runc"
install -m 0755 "$image_builder/image-build" "$layouts/image-builder/usr/local/bin/image-build"
add --label "org.gourmetgram.debian-packages=$(tr '\n' ' ' < "$rootfs/packages.txt" | sed 's/ $//')" \
    image-builder "$BUILDKIT_VERSION" 0:0 /usr/local/bin/image-build
