#!/usr/bin/env bash
# Debian packages the one-node test cluster (test/cluster, scripts/cluster) runs on:
#   containerd, runc                 the container runtime the kubelet drives over CRI
#   containernetworking-plugins      the bridge, host-local and loopback CNI plugins
#   catatonit                        the pause process of every pod sandbox (run as -P)
#   umoci, skopeo                    build OCI images and turn them into archives containerd imports
#   busybox-static                   the userland of the test images (one static binary)
#   iptables, conntrack, socat       what kube-proxy and the kubelet's port forwarding call
#   mmdebstrap                       the Debian root filesystems of the platform images (debian-rootfs.sh)
# Pinned like 30-gate-tools.sh; apt skips what is already installed at the pinned version.
set -euo pipefail
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "$0")/../lib/apt.sh"

install_pinned "cluster packages" \
    containerd=1.6.20~ds1-1+deb12u3 \
    runc=1.1.5+ds1-1+deb12u1 \
    containernetworking-plugins=1.1.1+ds1-3+b5 \
    catatonit=0.1.7-1+b2 \
    umoci=0.4.7+ds-3+b7 \
    skopeo=1.9.3+ds1-1+b10 \
    busybox-static=1:1.35.0-4+deb12u1+b1 \
    iptables=1.8.9-2 \
    conntrack=1:1.4.7-1+b2 \
    socat=1.7.4.4-2 \
    mmdebstrap=1.3.5-7

# The test cluster runs its own containerd (own root, state and socket); the packaged
# system service is stopped where a service manager runs, so two never share /run/containerd.
stop_packaged_service containerd
