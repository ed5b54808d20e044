# shellcheck shell=bash
# Helpers shared by the toolchain builders. Sourced, not run.
#
# Every tool is built from the Go module proxy into .cache/toolchain/<tool>-<version>/bin
# and is reused when that directory carries a complete stamp. A builder that fails leaves
# no stamp, so the next run starts it again rather than trusting half a build.

# The cache lives outside the checkout, keyed by version, so a fresh clone on a machine
# that built before (CI clones anew every run) reuses every tool instead of rebuilding.
# $REPO_ROOT/.cache/toolchain is a link to it, which is where the tests look.
toolchain_root() {
    printf '%s\n' "${GOURMETGRAM_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gourmetgram/toolchain}"
}

# link_into_checkout -> point $REPO_ROOT/.cache/toolchain at the machine-wide cache.
link_into_checkout() {
    local root link="$REPO_ROOT/.cache/toolchain"
    root=$(toolchain_root)
    mkdir -p "$root" "$REPO_ROOT/.cache"
    if [ -d "$link" ] && [ ! -L "$link" ]; then
        # An older checkout-local cache: keep what it built.
        cp -a "$link/." "$root/" && rm -rf "$link"
    fi
    ln -sfn "$root" "$link"
}

# tool_dir NAME VERSION -> the cache directory for one tool at one version.
tool_dir() {
    printf '%s/%s-%s\n' "$(toolchain_root)" "$1" "$2"
}

# is_built NAME VERSION -> true when a previous build finished.
is_built() {
    [ -f "$(tool_dir "$1" "$2")/.complete" ]
}

# mark_built NAME VERSION SECONDS -> record a finished build and how long it took cold.
mark_built() {
    printf 'built_seconds=%s\n' "$3" > "$(tool_dir "$1" "$2")/.complete"
}

# wrapper_module DIR MODULE_PATH -> a fresh scratch module to build one upstream
# main package with replace directives of our own (go install ignores upstream ones).
wrapper_module() {
    rm -rf "$1" && mkdir -p "$1"
    printf 'module %s\n\ngo %s\n' "$2" "$GO_LANGUAGE_VERSION" > "$1/go.mod"
}

# proxy_serves MODULE VERSION -> true when the module proxy hands out that version's zip.
proxy_serves() {
    local proxy
    proxy=$(go env GOPROXY); proxy=${proxy%%,*}
    local code
    code=$(curl -s -o /dev/null -r 0-0 -w '%{http_code}' "$proxy/$1/@v/$2.zip" || true)
    [ "$code" = 200 ] || [ "$code" = 206 ]
}

log() {
    printf 'toolchain: %s\n' "$*" >&2
}
