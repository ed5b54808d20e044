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

# lock_tool NAME VERSION -> hold an exclusive lock on one tool's build until the calling
# script exits, so two setups on one machine never build the same tool at once.
lock_tool() {
    local lock
    lock="$(tool_dir "$1" "$2").lock"
    mkdir -p "$(dirname "$lock")"
    exec 9> "$lock"
    flock 9
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

# kubernetes_wrapper_module DIR MODULE_PATH VERSION -> a wrapper module for commands of
# k8s.io/kubernetes at VERSION. Upstream points its k8s.io/* staging dependencies at
# ./staging/src with replace directives, which a dependent module cannot see, so the
# wrapper maps each one to the published staging module of the release (v1.X.Y -> v0.X.Y).
kubernetes_wrapper_module() {
    local dir=$1 path=$2 version=$3 staging upstream_mod
    staging="v0.${version#v1.}"
    wrapper_module "$dir" "$path"
    module_download k8s.io/kubernetes "$version" > /dev/null
    upstream_mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$version.mod"
    {
        echo
        echo "replace ("
        sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$upstream_mod"
        echo ")"
    } >> "$dir/go.mod"
    grep -q "k8s.io/api => k8s.io/api $staging" "$dir/go.mod" ||
        { log "could not read the staging replaces from $upstream_mod"; return 1; }
}

# kubernetes_ldflags VERSION -> linker flags that stamp a k8s.io/kubernetes build with its
# release, as upstream's build does (`--version`, the server's /version).
kubernetes_ldflags() {
    local version=$1 minor pkg flags="-s -w"
    minor=${version#v1.}; minor=${minor%%.*}
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
        flags+=" -X $pkg.gitTreeState=clean"
    done
    printf '%s\n' "$flags"
}

# module_download MODULE VERSION -> download one module version (checksum-verified) and
# print `go mod download -json` for it; read fields from that with json_field.
module_download() {
    go mod download -json "$1@$2"
}

# json_field NAME <<< JSON -> the value of the string field NAME in `go mod download -json`
# output: "Dir", "Sum", or "Hash" (the commit, under "Origin"); each occurs once.
json_field() {
    sed -n 's/^\t*"'"$1"'": "\(.*\)",*$/\1/p'
}

# module_work_copy MODULE VERSION WORK -> WORK becomes a writable copy of the checksum-verified
# module (the module cache is read-only; these builds keep upstream's go.mod and replaces, and
# some add a file); prints the module's commit (empty when the proxy names none).
module_work_copy() {
    local download src
    download=$(module_download "$1" "$2")
    src=$(json_field Dir <<< "$download")
    [ -n "$src" ] || { log "module $1@$2 did not download"; return 1; }
    rm -rf "$3" && mkdir -p "$(dirname "$3")"
    cp -r "$src" "$3" && chmod -R u+w "$3"
    json_field Hash <<< "$download"
}

# module_dir MODULE VERSION -> the module's source directory in the module cache.
module_dir() {
    local dir
    dir=$(module_download "$1" "$2" | json_field Dir)
    [ -n "$dir" ] || { log "module $1@$2 did not download"; return 1; }
    printf '%s\n' "$dir"
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
