#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs.
# What upstream's Dockerfile (argocd-base) adds to its base image: the user argocd, uid and gid
# 999, and the configuration directories the pods mount ConfigMaps and Secrets on, with
# ssh's known hosts read from one of them.
set -euo pipefail
root=$1
chroot "$root" groupadd -g 999 argocd
chroot "$root" useradd -r -u 999 -g argocd argocd
mkdir -p "$root/home/argocd" "$root/app/config/ssh" "$root/app/config/tls" \
    "$root/app/config/gpg/source" "$root/app/config/gpg/keys"
chmod g=u "$root/home/argocd"
chmod 0700 "$root/app/config/gpg/keys"
touch "$root/app/config/ssh/ssh_known_hosts"
ln -s /app/config/ssh/ssh_known_hosts "$root/etc/ssh/ssh_known_hosts"
