#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs. The builder starts
# as root only to map a user namespace (image-build): root's subordinate ids are the range every
# build process then runs as on the node, the range upstream's rootless image gives its user.
set -euo pipefail
root=$1
echo root:100000:65536 > "$root/etc/subuid"
echo root:100000:65536 > "$root/etc/subgid"
