# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# The platform's data services: PostgreSQL, the image registry, MinIO and mc, and the MLflow
# server, each standing in for the image the program pins (test/cluster/harness/local-images.ts
# maps them and says how each differs). Debian's packages in a bookworm rootfs
# (debian-rootfs.sh) where the product's image is a distribution's; MinIO and mc from their
# Go builds. Sourced by build-images.sh, not run.
# shellcheck source=scripts/toolchain/debian-rootfs.sh
source "$here/debian-rootfs.sh"
platform=$here/images.d/platform

platform_image() { # KEY -> the reference vocabulary/versions.ts pins in platformImages
    local ref
    ref=$(sed -n "s/^    $1: \"\(.*\)\",$/\1/p" "$REPO_ROOT/vocabulary/versions.ts")
    [ -n "$ref" ] || { log "images: platformImages.$1 is not in vocabulary/versions.ts"; exit 1; }
    printf '%s\n' "$ref"
}

rootfs=$(debian_rootfs postgres postgresql-15 "$platform/postgres/rootfs")
unpack_rootfs postgres "$rootfs"
install -m 0755 "$platform/postgres/docker-entrypoint.sh" "$layouts/postgres/usr/local/bin/docker-entrypoint.sh"
add --cmd postgres --label "$(packages_label "$rootfs")" \
    postgres "$(debian_version postgresql-15 "$rootfs")" 70:70 /usr/local/bin/docker-entrypoint.sh
stands_in_for postgres "$(platform_image postgres)"

# The pinned image defaults to root; its pod runs it as uid 10001, and so does this image.
rootfs=$(debian_rootfs registry docker-registry)
unpack_rootfs registry "$rootfs"
install -D -m 0644 "$platform/registry/config.yml" "$layouts/registry/etc/docker/registry/config.yml"
ln -sf /usr/bin/docker-registry "$layouts/registry/bin/registry"
mkdir -p "$layouts/registry/var/lib/registry"
add --cmd /etc/docker/registry/config.yml --label "$(packages_label "$rootfs")" \
    registry "$(debian_version docker-registry "$rootfs")" 10001:10001 /bin/registry serve
stands_in_for registry "$(platform_image registry)"

# Static binaries (no cgo): no rootfs but the binary, a /tmp and the mount points.
single_binary minio "$(built_binary minio "$MINIO_VERSION")" /usr/bin/minio
mkdir -p "$layouts/minio/data"
add minio "$MINIO_VERSION" 10001:10001 /usr/bin/minio
stands_in_for minio "$(platform_image minio)"

# The bucket Job runs a shell script around mc: busybox is its shell and tools.
single_binary mc "$(built_binary mc "$MC_VERSION")" /usr/bin/mc
install -D -m 0755 /bin/busybox "$layouts/mc/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$layouts/mc/bin/$applet"
done
add --label "org.gourmetgram.busybox=$(deb_tag busybox-static)" mc "$MC_VERSION" 10001:10001 /usr/bin/mc
stands_in_for mc "$(platform_image minioClient)"

# The program names the MLflow server by its build's content tag (local-images.ts maps it).
# libstdc++6: the C++ runtime PyPI's manylinux wheels (numpy, pandas, pyarrow) expect of the
# system, as python:3.11-slim has it.
rootfs=$(debian_rootfs mlflow-server python3,python3-venv,libstdc++6 "$platform/mlflow-server/rootfs")
unpack_rootfs mlflow-server "$rootfs"
mlflow=$(sed -n 's/^mlflow==\([^ ]*\) .*/\1/p' "$platform/mlflow-server/rootfs/requirements.txt")
# The venv's commands come first on PATH, as the Dockerfile's system-wide install puts them:
# `python` for the users Job, `gunicorn` and `uvicorn`, which the server starts by name.
add --env PATH=/opt/mlflow/bin:/usr/local/bin:/usr/bin:/bin --label "$(packages_label "$rootfs")" \
    mlflow-server "$mlflow" 10001:10001 mlflow
