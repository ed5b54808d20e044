# shellcheck shell=bash
# shellcheck disable=SC2154  # $layouts and the helpers come from build-images.sh, which sources this
# Argo CD's two images without dex (the lab logs in with the admin password): argocd, the one
# binary behind every component (build-argo-cd.sh) in a Debian rootfs laid out as upstream's
# Dockerfile lays out its image, and redis, Debian's redis-server standing in for redis 8.2.3.
# test/cluster/harness/local-images.ts maps the install manifest's references to them.
# Sourced by build-images.sh, not run.
#
# argocd: upstream's argocd-base installs git, gpg, gpg-agent, openssh-client, tini,
# ca-certificates, tzdata and connect-proxy; so does this rootfs (passwd too, for useradd in
# images.d/argo-cd/rootfs/customize.sh: user argocd, uid and gid 999). helm is the toolchain's build
# of the release Argo CD bundles; upstream's kustomize and git-lfs are left out (the lab's
# applications are a helm chart). The component names are links to argocd, which acts by the
# name it runs as; the wrappers it calls for gpg come from the same release's module. tini runs
# it, as upstream's ENTRYPOINT. Every file belongs to root (oci_image packs them so); upstream's
# /home/argocd and gpg/keys belong to argocd, but its manifest mounts a volume on each.
#
# redis: the install manifest runs it with only `args` (`--save "" --appendonly no
# --requirepass $(REDIS_PASSWORD)`) as uid 999 on a read-only root: upstream's image turns
# leading options into `redis-server <options>`; here the entrypoint is redis-server itself.
# Debian bookworm ships redis 7.0, not 8.2.3: those options and the protocol Argo CD speaks
# (GET/SET with a password) are the same in both.

# shellcheck source=scripts/toolchain/debian-rootfs.sh
source "$here/debian-rootfs.sh"
argo_cd_src=$(module_dir github.com/argoproj/argo-cd/v3 "$ARGO_CD_VERSION")
argo_cd_layout() { # NAME ROOTFS_DIR: unpack the rootfs as the image's layout
    mkdir -p "$layouts/$1"
    tar -C "$layouts/$1" -xf "$2/rootfs.tar"
}
argo_cd_packages() { # ROOTFS_DIR -> a label recording every Debian package and version in it
    printf 'org.gourmetgram.debian-packages=%s\n' "$(tr '\n' ' ' < "$1/packages.txt" | sed 's/ $//')"
}

rootfs=$(debian_rootfs argocd \
    git,gpg,gpg-agent,openssh-client,tini,ca-certificates,tzdata,connect-proxy,passwd \
    "$here/images.d/argo-cd/rootfs")
argo_cd_layout argocd "$rootfs"
is_built argo-cd "$ARGO_CD_VERSION" ||
    { log "images: argo-cd $ARGO_CD_VERSION is not built: run build.sh argo-cd"; exit 1; }
install -m 0755 "$(tool_dir argo-cd "$ARGO_CD_VERSION")/bin/argocd" "$layouts/argocd/usr/local/bin/argocd"
install -m 0755 "$(built_binary helm "$HELM_VERSION")" "$layouts/argocd/usr/local/bin/helm"
for script in hack/gpg-wrapper.sh hack/git-verify-wrapper.sh entrypoint.sh; do
    install -m 0755 "$argo_cd_src/$script" "$layouts/argocd/usr/local/bin/$(basename "$script")"
done
ln -s /usr/local/bin/entrypoint.sh "$layouts/argocd/usr/local/bin/uid_entrypoint.sh"
for component in argocd-server argocd-repo-server argocd-cmp-server argocd-application-controller \
    argocd-dex argocd-notifications argocd-applicationset-controller argocd-k8s-auth argocd-commit-server; do
    ln -s /usr/local/bin/argocd "$layouts/argocd/usr/local/bin/$component"
done
add --label "$(argo_cd_packages "$rootfs")" argocd "$ARGO_CD_VERSION" 999:999 /usr/bin/tini --

rootfs=$(debian_rootfs redis redis-server)
argo_cd_layout redis "$rootfs"
redis_tag=$(debian_version redis-server "$rootfs")
# A tag may hold letters, digits, `_`, `.` and `-`: Debian's `~` becomes `_`.
add --label "$(argo_cd_packages "$rootfs")" redis "${redis_tag//\~/_}" 999:999 /usr/bin/redis-server
