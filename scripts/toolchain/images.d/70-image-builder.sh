# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# The in-cluster image builder (docs/image-builds.md): a stand-in for upstream's rootful BuildKit
# image (platformImages.buildkit), laid out as the product's container command expects it
# (infra/platform/image-build/builder.ts): buildkitd and buildctl (build-buildkit.sh) in
# /usr/bin, runc as /usr/bin/buildkit-runc (the name buildkitd looks for first, and the only one
# upstream's image has), util-linux's unshare at /usr/bin/unshare, a POSIX /bin/sh and tar.
# Debian's bookworm packages where upstream's are Alpine's; unlike Alpine's, bookworm's unshare
# needs newuidmap and newgidmap (uidmap) and root's range in /etc/subuid and /etc/subgid
# (image-builder/rootfs/customize.sh). Sourced by build-images.sh, not run.
# shellcheck source=scripts/toolchain/debian-rootfs.sh
source "$here/debian-rootfs.sh"
image_builder=$here/images.d/image-builder

is_built buildkit "$BUILDKIT_VERSION" ||
    { log "images: buildkit $BUILDKIT_VERSION is not built: run build.sh buildkit"; exit 1; }
buildkit_bin="$(tool_dir buildkit "$BUILDKIT_VERSION")/bin"

rootfs=$(debian_rootfs image-builder runc,uidmap,ca-certificates "$image_builder/rootfs")
mkdir -p "$layouts/image-builder"
tar -C "$layouts/image-builder" -xf "$rootfs/rootfs.tar"
install -m 0755 "$buildkit_bin/buildkitd" "$buildkit_bin/buildctl" "$layouts/image-builder/usr/bin/"
mv "$layouts/image-builder/usr/sbin/runc" "$layouts/image-builder/usr/bin/buildkit-runc"
rm -f "$layouts/image-builder/usr/bin/runc"
[ -x "$layouts/image-builder/usr/bin/unshare" ] ||
    { log "images: the image-builder rootfs has no /usr/bin/unshare"; exit 1; }
add --label "$(packages_label "$rootfs")" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    image-builder "$BUILDKIT_VERSION" 0:0 /usr/bin/buildkitd
stands_in_for image-builder "$(platform_image buildkit)"
