#!/usr/bin/env bash
# apparmor_parser 4 for the syntax test of the nodes' AppArmor profile (infra/k3s/scripts/apparmor,
# test/unit/k3s/apparmor.test.ts). The nodes run Ubuntu 24.04's AppArmor 4.0, and the profile
# needs its policy ABI 4.0 for the `userns` rule; Debian 12's apparmor 3.0.8 knows neither, and
# Debian 13's 4.1 binary needs a newer glibc. So the parser is built from Debian 13's source of
# AppArmor (upstream's tarball, checked against its pinned sha256) with Debian 12's compilers,
# into the machine-wide toolchain cache with the policy it includes (abi/, tunables/,
# abstractions/), linked as .cache/toolchain/apparmor. About 3 minutes cold on 2 cores.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export REPO_ROOT
# shellcheck source=scripts/toolchain/lib.sh
source "$REPO_ROOT/scripts/toolchain/lib.sh"
# shellcheck source=scripts/lib/apt.sh
source "$REPO_ROOT/scripts/lib/apt.sh"

version=4.1.0
tarball_sha256=c4422381941a6f30b7a5c9ee1defb7bc4efe3adbee3f99d642aa6e9bb8bcffcf
# The Debian suite whose source package carries that upstream release.
suite=trixie

link_into_checkout
dir=$(tool_dir apparmor "$version")
lock_tool apparmor "$version"
if is_built apparmor "$version"; then
    ln -sfn "apparmor-$version" "$(toolchain_root)/apparmor"
    echo "apparmor: apparmor_parser $version is built"
    exit 0
fi

install_pinned "apparmor build tools" \
    bison=2:3.8.2+dfsg-1+b1 \
    flex=2.6.4-8.2 \
    autoconf=2.71-3 \
    automake=1:1.16.5-1.3 \
    libtool=2.4.7-7~deb12u1 \
    autoconf-archive=20220903-3 \
    pkgconf=1.8.1-1 \
    g++=4:12.2.0-3 \
    make=4.3-4.1

started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private apt state that lists only the suite's sources: the machine's own package lists and
# installed packages are untouched.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
echo "deb-src http://deb.debian.org/debian $suite main" > "$work/apt/sources.list"
apt_private=(
    -o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o APT::Sandbox::User=root
)
apt-get "${apt_private[@]}" update -qq
(cd "$work" && apt-get "${apt_private[@]}" source --download-only -qq "apparmor/$suite")
tarball="$work/apparmor_$version.orig.tar.gz"
if [ ! -f "$tarball" ]; then
    echo "apparmor: $suite's source package no longer carries AppArmor $version ($(ls "$work"/apparmor_*.orig.tar.gz 2>/dev/null || echo nothing)); update the pin in $0" >&2
    exit 1
fi
echo "$tarball_sha256  $tarball" | sha256sum --check --quiet

src="$work/src"
mkdir -p "$src"
tar -xzf "$tarball" -C "$src" --strip-components=1
(
    cd "$src/libraries/libapparmor"
    sh autogen.sh > "$work/autogen.log" 2>&1
    ./configure --without-perl --without-python --without-ruby > "$work/configure.log" 2>&1
    make -j2 > "$work/libapparmor.log" 2>&1
) || { tail -n 40 "$work"/*.log >&2; exit 1; }
make -C "$src/parser" -j2 apparmor_parser > "$work/parser.log" 2>&1 || { tail -n 40 "$work/parser.log" >&2; exit 1; }

rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/apparmor.d"
install -m 0755 "$src/parser/apparmor_parser" "$dir/bin/apparmor_parser"
cp -r "$src/profiles/apparmor.d/abi" "$src/profiles/apparmor.d/tunables" "$src/profiles/apparmor.d/abstractions" "$dir/apparmor.d/"
"$dir/bin/apparmor_parser" --version | head -n 1
mark_built apparmor "$version" "$((SECONDS - started))"
ln -sfn "apparmor-$version" "$(toolchain_root)/apparmor"
