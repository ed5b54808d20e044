# shellcheck shell=bash
# Shared by the K3s install scripts; sourced, not run.
# Every function is idempotent: running an install script twice changes nothing the second time.

k3s_config_dir=/etc/rancher/k3s

require_env() {
    local name
    for name in "$@"; do
        if [ -z "${!name:-}" ]; then
            echo "error: $name must be set" >&2
            exit 2
        fi
    done
}

# Points containerd's pulls of the in-cluster registry's cluster-DNS name at an address the
# node itself can reach (containerd on the host does not resolve cluster DNS).
write_registries() {
    local host=$1 endpoint=$2
    mkdir -p "$k3s_config_dir"
    cat > "$k3s_config_dir/registries.yaml.new" <<YAML
mirrors:
  "$host":
    endpoint:
      - "$endpoint"
YAML
    mv "$k3s_config_dir/registries.yaml.new" "$k3s_config_dir/registries.yaml"
}

kubelet_seccomp_dir=/var/lib/kubelet/seccomp

# install_seccomp_profiles DIR: every profile under DIR (which mirrors the kubelet's seccomp
# directory) to the same path below the kubelet's, where a pod's Localhost seccompProfile names
# it. Done before K3s starts, so no pod that names a profile is ever refused for want of it; a
# DIR without profiles stops the install (the scripts were copied incompletely).
install_seccomp_profiles() {
    local source=$1 profile target count=0
    while IFS= read -r -d '' profile; do
        target="$kubelet_seccomp_dir/${profile#"$source"/}"
        count=$((count + 1))
        if cmp -s "$profile" "$target"; then
            continue
        fi
        install -D -m 0644 "$profile" "$target.new"
        mv "$target.new" "$target"
        echo "seccomp profile ${profile#"$source"/} installed in $kubelet_seccomp_dir"
    done < <(find "$source" -type f -name '*.json' -print0 | sort -z)
    if [ "$count" -eq 0 ]; then
        echo "error: no seccomp profile in $source; nothing was installed" >&2
        exit 1
    fi
}

apparmor_enabled=/sys/module/apparmor/parameters/enabled
apparmor_loaded=/sys/kernel/security/apparmor/profiles
apparmor_dir=/etc/apparmor.d

# install_apparmor_profiles DIR: every AppArmor profile in DIR (each file named as the profile
# it holds) loaded into the kernel and kept in /etc/apparmor.d, from where the boot loads it
# again, before K3s starts: a container names one as its Localhost appArmorProfile. A profile
# whose file is unchanged and that the kernel holds is left alone. Nothing is loaded where
# AppArmor is not enabled, nor where it predates policy ABI 4.0 (Ubuntu 22.04), which the
# profiles are written for; the cluster's pods name the profiles only on nodes that hold them
# (infra/cluster/cluster.ts). A profile the parser refuses stops the install.
install_apparmor_profiles() {
    local source=$1 profile name profiles=()
    for profile in "$source"/*; do
        [ -f "$profile" ] && profiles+=("$profile")
    done
    if [ ${#profiles[@]} -eq 0 ]; then
        echo "error: no AppArmor profile in $source; nothing was installed" >&2
        exit 1
    fi
    if [ "$(cat "$apparmor_enabled" 2>/dev/null)" != Y ]; then
        echo "AppArmor is not enabled on $(hostname): its profiles from $source are not loaded"
        return 0
    fi
    if [ ! -e "$apparmor_dir/abi/4.0" ]; then
        echo "AppArmor on $(hostname) predates policy ABI 4.0 ($apparmor_dir/abi/4.0 is missing): its profiles from $source are not loaded"
        return 0
    fi
    if ! command -v apparmor_parser > /dev/null; then
        echo "error: AppArmor is enabled on $(hostname) but apparmor_parser is missing (Ubuntu's package apparmor); nothing was installed" >&2
        exit 1
    fi
    for profile in "${profiles[@]}"; do
        name=${profile##*/}
        if cmp -s "$profile" "$apparmor_dir/$name" && awk -v name="$name" '$1 == name { found = 1 } END { exit !found }' "$apparmor_loaded" 2>/dev/null; then
            continue
        fi
        # Loaded from the copy first, so that a profile the parser refuses never reaches the
        # directory the boot loads.
        if ! apparmor_parser -r -W "$profile"; then
            echo "error: apparmor_parser refused the AppArmor profile $name; it was not installed" >&2
            exit 1
        fi
        install -m 0644 "$profile" "$apparmor_dir/.$name.new"
        mv "$apparmor_dir/.$name.new" "$apparmor_dir/$name"
        echo "AppArmor profile $name loaded and kept in $apparmor_dir"
    done
}

# The network interface that holds an IPv4 address, so flannel carries pod traffic over the
# private network rather than the interface with the default route.
interface_for() {
    local address=$1 interface
    interface=$(ip -o -4 addr show | awk -v want="$address" '{ split($4, cidr, "/"); if (cidr[1] == want) { print $2; exit } }')
    if [ -z "$interface" ]; then
        echo "error: no interface on $(hostname) has address $address" >&2
        exit 1
    fi
    echo "$interface"
}

k3s_bin_dir=/usr/local/bin

# verify_sha256 FILE EXPECTED WHAT: stops the install unless FILE's sha256 is EXPECTED.
verify_sha256() {
    local file=$1 expected=$2 what=$3 actual
    actual=$(sha256sum "$file" | cut -d' ' -f1)
    if [ "$actual" != "$expected" ]; then
        echo "error: $what does not match its pinned sha256: expected $expected, got $actual; nothing was installed" >&2
        exit 1
    fi
}

# install_k3s SERVICE ARGS...: installs or upgrades K3s as SERVICE (k3s or k3s-agent) with
# ARGS, unless it already runs K3S_VERSION with exactly these ARGS and registries.yaml.
# The installer and the binary are both checked against K3S_INSTALLER_SHA256 and
# K3S_BINARY_SHA256 before either is used: the installer runs with the checked binary in place
# and downloads nothing itself (INSTALL_K3S_SKIP_DOWNLOAD).
install_k3s() {
    local service=$1
    shift
    local stamp="$k3s_config_dir/gourmetgram-$service.stamp" want work release
    if [ -z "${K3S_INSTALLER_SHA256:-}" ] || [ -z "${K3S_BINARY_SHA256:-}" ]; then
        echo "error: no sha256 is pinned for K3s $K3S_VERSION's installer and binary, so nothing was installed." \
            "Set gourmetgram:k3sInstallerSha256 (install.sh at the release tag) and gourmetgram:k3sBinarySha256" \
            "(the 'k3s' line of the release's sha256sum-amd64.txt) in the stack config, or pin them in vocabulary/versions.ts" >&2
        exit 2
    fi
    if [ "$(uname -m)" != x86_64 ]; then
        echo "error: the pinned K3s binary is the amd64 one; this node is $(uname -m)" >&2
        exit 2
    fi
    want="$K3S_VERSION $K3S_BINARY_SHA256 $* $(sha256sum "$k3s_config_dir/registries.yaml" | cut -d' ' -f1)"
    if systemctl is-active --quiet "$service" && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "$service $K3S_VERSION is already installed with these settings"
        return 0
    fi
    work=$(mktemp -d)
    release=${K3S_VERSION/+/%2B}
    curl -sfL --proto '=https' --proto-redir '=https' --retry 5 --retry-delay 3 -o "$work/install.sh" \
        "https://raw.githubusercontent.com/k3s-io/k3s/$release/install.sh"
    verify_sha256 "$work/install.sh" "$K3S_INSTALLER_SHA256" "the K3s $K3S_VERSION installer"
    curl -sfL --proto '=https' --proto-redir '=https' --retry 5 --retry-delay 3 -o "$work/k3s" \
        "https://github.com/k3s-io/k3s/releases/download/$release/k3s"
    verify_sha256 "$work/k3s" "$K3S_BINARY_SHA256" "the K3s $K3S_VERSION binary"
    install -m 0755 "$work/k3s" "$k3s_bin_dir/k3s"
    INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_BIN_DIR="$k3s_bin_dir" INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_EXEC="$*" sh "$work/install.sh"
    rm -rf "$work"
    echo "$want" > "$stamp"
}
