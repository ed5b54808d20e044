# shellcheck shell=bash
# Sourced by the setup steps that need Debian packages at pinned versions.

# install_pinned LABEL PACKAGE=VERSION...: installs each package at exactly that version
# unless it is already installed at it; apt-get update runs only when something is missing.
install_pinned() {
    local label=$1 wanted missing=() have
    shift
    for wanted in "$@"; do
        have=$(dpkg-query -W -f='${Status} ${Version}' "${wanted%%=*}" 2>/dev/null || true)
        [ "$have" = "install ok installed ${wanted#*=}" ] || missing+=("$wanted")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "$label: ${*%%=*} installed at their pinned versions"
        return 0
    fi
    echo "$label: installing ${missing[*]}"
    apt-get update -qq
    # --no-install-recommends: binaries only, no system services set up beside them.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# stop_packaged_service NAME: a Debian package may start its own system service; the tests run
# their own instances, so the packaged one is stopped where a service manager runs.
stop_packaged_service() {
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$1" 2>/dev/null; then
        systemctl disable --now "$1" || true
    fi
}
