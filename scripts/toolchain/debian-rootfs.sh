# shellcheck shell=bash
# debian_rootfs: a minimal Debian bookworm root filesystem (mmdebstrap) holding the packages
# an image recipe names, as a tarball the recipe unpacks into its layout. Sourced after
# common.sh, not run.
#
# The rootfs holds bookworm's Essential:yes set plus the named packages and what they depend
# on (no Recommends), without documentation, apt lists, caches or logs; SOURCE_DATE_EPOCH makes
# mmdebstrap's output the same for the same packages. It is cached under the hash of its
# inputs: the package list, the versions apt resolves them to today (so a Debian point release
# or security update is a new rootfs, never a stale one), the customize directory and this file.
# The resolved versions are recorded beside the tarball (packages.txt) and checked against what
# the rootfs really holds.

debian_suite=bookworm
debian_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# The image's timestamps come from oci-image.sh (the epoch); this is what mmdebstrap writes
# into files (shadow's last-change day, dpkg's logs before they are removed).
debian_source_date_epoch=0

debian_sources() {
    local mirror=http://deb.debian.org/debian
    printf 'deb [signed-by=%s] %s\n' \
        "$debian_keyring" "$mirror $debian_suite main" \
        "$debian_keyring" "$mirror $debian_suite-updates main" \
        "$debian_keyring" "$mirror-security $debian_suite-security main"
}

# debian_resolve PACKAGE... -> `name=version` lines, sorted: what a rootfs of the Essential set
# plus PACKAGEs installs today, as apt resolves it from an empty package database.
debian_resolve() {
    local apt_dir conf
    apt_dir="$(toolchain_root)/debian-rootfs/apt"
    conf="$apt_dir/apt.conf"
    mkdir -p "$apt_dir"/{etc/apt.conf.d,etc/preferences.d,etc/trusted.gpg.d,state/lists/partial,cache/archives/partial}
    debian_sources > "$apt_dir/etc/sources.list"
    : > "$apt_dir/status"
    cat > "$conf" <<EOF
Dir::Etc "$apt_dir/etc";
Dir::State "$apt_dir/state";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Install-Recommends "false";
Debug::NoLocking "true";
APT::Sandbox::User "root";
EOF
    APT_CONFIG=$conf apt-get -qq update
    # apt counts itself as essential; mmdebstrap's essential variant (the Essential: yes field) does not.
    APT_CONFIG=$conf apt-get -s install '?and(?essential,?not(?exact-name(apt)))' "$@" |
        sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' | LC_ALL=C sort
}

# debian_rootfs NAME PACKAGES [CUSTOMIZE_DIR] -> prints the directory holding rootfs.tar and
# packages.txt. PACKAGES is comma-separated. CUSTOMIZE_DIR, when given, holds customize.sh,
# run on the host after the packages are installed with the rootfs's path as $1 and the
# directory as the working directory (mmdebstrap's customize hook: /proc, /sys and /dev are
# mounted); every file in it is an input of the hash.
debian_rootfs() {
    local name=$1 packages=$2 customize=${3:-} resolved inputs key dir
    local -a package_list
    IFS=, read -r -a package_list <<< "$packages"
    [ -z "$customize" ] || customize=$(cd "$customize" && pwd)
    resolved=$(debian_resolve "${package_list[@]}")
    [ -n "$resolved" ] || { log "debian_rootfs $name: apt resolved no packages for $packages"; return 1; }
    inputs=$(
        printf '%s\n' "$debian_suite" "$packages" "$resolved" "$(cat "${BASH_SOURCE[0]}")"
        if [ -n "$customize" ]; then
            cd "$customize" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
        fi
    )
    key=$(printf '%s\n' "$inputs" | sha256sum | cut -c1-16)
    dir="$(toolchain_root)/debian-rootfs/$name-$key"
    if [ -f "$dir/.complete" ]; then
        # Marks it used by this build (build-images.sh drops the rootfs no build used).
        touch "$dir/.complete"
        printf '%s\n' "$dir"
        return 0
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    local start=$SECONDS hooks=()
    # What apt and dpkg leave of their own run ($1 is the rootfs, as mmdebstrap passes it).
    # shellcheck disable=SC2016
    local cleanup='rm -rf "$1"/var/log/* "$1"/var/cache/* "$1"/var/lib/apt/lists/* "$1"/var/lib/dpkg/*-old "$1"/etc/machine-id'
    if [ -n "$customize" ]; then
        hooks+=(--customize-hook="cd '$customize' && bash ./customize.sh \"\$1\"")
    fi
    # Documentation and manuals go (each package's copyright stays); the cleanup runs last.
    SOURCE_DATE_EPOCH=$debian_source_date_epoch mmdebstrap --quiet --mode=root --variant=essential \
        --include="$packages" --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
        --skip=output/dev --skip=output/mknod \
        "${hooks[@]}" \
        --customize-hook="$cleanup" \
        "$debian_suite" "$dir/rootfs.tar" "$(toolchain_root)/debian-rootfs/apt/etc/sources.list"
    local installed
    installed=$(tar -xOf "$dir/rootfs.tar" ./var/lib/dpkg/status |
        awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' | LC_ALL=C sort)
    if [ "$installed" != "$resolved" ]; then
        log "debian_rootfs $name: the rootfs holds other versions than apt resolved:"
        diff <(printf '%s\n' "$resolved") <(printf '%s\n' "$installed") >&2 || true
        return 1
    fi
    printf '%s\n' "$resolved" > "$dir/packages.txt"
    printf 'built_seconds=%s\n' $((SECONDS - start)) > "$dir/.complete"
    log "debian rootfs $name: built in $((SECONDS - start))s"
    printf '%s\n' "$dir"
}

# debian_version PACKAGE ROOTFS_DIR -> the package's version in that rootfs, as an image tag
# (no epoch; `+` is not allowed in a tag).
debian_version() {
    local version
    version=$(sed -n "s/^$1=//p" "$2/packages.txt")
    [ -n "$version" ] || { log "debian_version: $1 is not in $2/packages.txt"; return 1; }
    version=${version#*:}
    printf '%s\n' "${version//+/_}"
}

# unpack_rootfs NAME ROOTFS_DIR: $layouts/NAME (build-images.sh's layout of image NAME) holds the
# rootfs.
unpack_rootfs() {
    # shellcheck disable=SC2154  # $layouts is build-images.sh's, which sources the recipes
    mkdir -p "$layouts/$1"
    tar -C "$layouts/$1" -xf "$2/rootfs.tar"
}

# packages_label ROOTFS_DIR -> an image label recording every Debian package and version in it.
packages_label() {
    printf 'org.gourmetgram.debian-packages=%s\n' "$(tr '\n' ' ' < "$1/packages.txt" | sed 's/ $//')"
}
