#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs. util-linux 2.38's
# unshare maps a range of ids with newuidmap and newgidmap even when run as root, and they map
# for root only what /etc/subuid and /etc/subgid give it: the range the image build's script
# maps (infra/platform/image-build/builder.ts). Upstream's image needs neither: from 2.40,
# unshare run as root writes the maps itself.
set -euo pipefail
root=$1
echo root:100000:65536 > "$root/etc/subuid"
echo root:100000:65536 > "$root/etc/subgid"
