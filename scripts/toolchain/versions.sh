# shellcheck shell=bash
# Toolchain versions. Kubernetes and Argo follow infra/versions.ts (the K3s release the
# lab installs and the Argo releases it deploys); read from there so they cannot drift.
_versions_ts="$REPO_ROOT/infra/versions.ts"
_pinned() {
    sed -n "s/^export const $1 = \"\(.*\)\";.*/\1/p" "$_versions_ts"
}

# kube-apiserver: the K3s minor, at the newest patch whose staging modules the module
# proxy serves in full (v1.33.5 lacks k8s.io/endpointslice, externaljwt and
# kube-controller-manager at v0.33.5). The check below keeps it on the K3s minor.
KUBERNETES_VERSION=v1.33.4
_k3s=$(_pinned k3sVersion)
_k3s_minor=$(echo "$_k3s" | cut -d. -f1-2)
if [ "${KUBERNETES_VERSION%.*}" != "$_k3s_minor" ]; then
    echo "toolchain: kube-apiserver $KUBERNETES_VERSION is not on the K3s minor of $_k3s" >&2
    exit 1
fi
ARGO_WORKFLOWS_VERSION=$(_pinned argoWorkflowsVersion)
ARGO_CD_VERSION=$(_pinned argoCdVersion)
ETCD_VERSION=v3.6.5
# helm: the release Argo CD ARGO_CD_VERSION ships (its hack/tool-versions.sh, helm4_version);
# build-helm.sh refuses to build when the two differ.
HELM_VERSION=v4.2.1

for _v in KUBERNETES_VERSION ARGO_WORKFLOWS_VERSION ARGO_CD_VERSION; do
    if [ -z "${!_v}" ]; then
        echo "toolchain: could not read $_v from infra/versions.ts" >&2
        exit 1
    fi
done
export KUBERNETES_VERSION ARGO_WORKFLOWS_VERSION ARGO_CD_VERSION ETCD_VERSION HELM_VERSION
