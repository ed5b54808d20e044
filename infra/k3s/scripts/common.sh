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

# install_k3s SERVICE ARGS...: installs or upgrades K3s as SERVICE (k3s or k3s-agent) with
# ARGS, unless it already runs K3S_VERSION with exactly these ARGS and registries.yaml.
install_k3s() {
    local service=$1
    shift
    local stamp="$k3s_config_dir/gourmetgram-$service.stamp" want installer
    want="$K3S_VERSION $* $(sha256sum "$k3s_config_dir/registries.yaml" | cut -d' ' -f1)"
    if systemctl is-active --quiet "$service" && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "$service $K3S_VERSION is already installed with these settings"
        return 0
    fi
    installer=$(mktemp)
    # The installer is taken from the release's own tag, so it matches the pinned version.
    curl -sfL --retry 5 --retry-delay 3 -o "$installer" \
        "https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION/+/%2B}/install.sh"
    INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_EXEC="$*" sh "$installer"
    rm -f "$installer"
    echo "$want" > "$stamp"
}
