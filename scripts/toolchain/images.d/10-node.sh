# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# The node's own images: the pod sandbox's pause process (Debian's catatonit, run as -P),
# busybox (the local-path helper pods and the test workloads), and CoreDNS, metrics-server
# and the local-path provisioner from the binaries their build steps made.
# Sourced by build-images.sh, not run.

single_binary pause /usr/bin/catatonit
add pause "catatonit-$(deb_tag catatonit)" 65535:65535 /pause -P

mkdir -p "$layouts/busybox/bin" "$layouts/busybox/tmp" && chmod 1777 "$layouts/busybox/tmp"
install -m 0755 /bin/busybox "$layouts/busybox/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$layouts/busybox/bin/$applet"
done
add busybox "$(deb_tag busybox-static)" 0:0 /bin/sh

single_binary coredns "$(built_binary coredns "$COREDNS_VERSION")"
add coredns "$COREDNS_VERSION" 0:0 /coredns
single_binary metrics-server "$(built_binary metrics-server "$METRICS_SERVER_VERSION")"
add metrics-server "$METRICS_SERVER_VERSION" 65534:65534 /metrics-server
# Upstream's manifest runs it by name, from PATH.
single_binary local-path-provisioner "$(built_binary local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")" \
    /usr/bin/local-path-provisioner
add local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" 0:0 /usr/bin/local-path-provisioner
