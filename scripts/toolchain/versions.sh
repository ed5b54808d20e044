# shellcheck shell=bash
# Toolchain versions. Kubernetes and Argo follow vocabulary/versions.ts (the K3s release the
# lab installs and the Argo releases it deploys); read from there so they cannot drift.
_versions_ts="$REPO_ROOT/vocabulary/versions.ts"
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

# The Pulumi CLI for the engine leg of the e2e suite, a Go tool build of pkg/v3
# (build-pulumi.sh). The module proxy refuses pkg/v3 at the npm SDK's release (3.270.0)
# but serves this one; a CLI may be newer than the SDK that drives it, never older.
PULUMI_VERSION=v3.274.1
# The Kubernetes resource plugin: the release of the npm SDK package.json pins, so the
# engine here runs the provider a user's CLI would download for this program. The proxy
# refuses every provider/v4 tag; it serves the pseudo-version of the release commit.
PULUMI_KUBERNETES_VERSION=v4.25.0
PULUMI_KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
_npm_pinned() {
    sed -n 's#^ *"'"$1"'": "\(.*\)",*$#\1#p' "$REPO_ROOT/package.json"
}
if [ "$(_npm_pinned @pulumi/kubernetes)" != "${PULUMI_KUBERNETES_VERSION#v}" ]; then
    echo "toolchain: package.json pins @pulumi/kubernetes $(_npm_pinned @pulumi/kubernetes), the provider build is $PULUMI_KUBERNETES_VERSION" >&2
    exit 1
fi
_sdk=$(_npm_pinned @pulumi/pulumi)
if [ "$(printf '%s\n%s\n' "$_sdk" "${PULUMI_VERSION#v}" | sort -V | tail -n 1)" != "${PULUMI_VERSION#v}" ]; then
    echo "toolchain: the Pulumi CLI $PULUMI_VERSION is older than the @pulumi/pulumi SDK $_sdk" >&2
    exit 1
fi

for _v in KUBERNETES_VERSION ARGO_WORKFLOWS_VERSION ARGO_CD_VERSION PULUMI_VERSION; do
    if [ -z "${!_v}" ]; then
        echo "toolchain: could not read $_v from vocabulary/versions.ts" >&2
        exit 1
    fi
done
export KUBERNETES_VERSION ARGO_WORKFLOWS_VERSION ARGO_CD_VERSION ETCD_VERSION HELM_VERSION
export PULUMI_VERSION PULUMI_KUBERNETES_VERSION PULUMI_KUBERNETES_MODULE_VERSION

# The one-node test cluster (test/cluster): its node parts come from KUBERNETES_VERSION;
# these are the add-ons K3s ships, each at the newest release the module proxy serves
# (local-path-provisioner v0.0.31 and cri-tools v1.33.0 are refused).
COREDNS_VERSION=v1.12.0
METRICS_SERVER_VERSION=v0.8.0
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30
CRICTL_VERSION=v1.34.0
export COREDNS_VERSION METRICS_SERVER_VERSION LOCAL_PATH_PROVISIONER_VERSION CRICTL_VERSION

# The platform's data services as the test cluster runs them (images.d/20-platform.sh). The
# module proxy serves MinIO and mc only at these pseudo-versions, not at the release tags
# vocabulary/versions.ts pins (test/cluster/harness/local-images.ts says so per image).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
export MINIO_VERSION MC_VERSION

# The in-cluster image builder (docs/image-builds.md): the BuildKit release the product's image
# pins (platformImages.buildkit), built from the module proxy for its local stand-in.
BUILDKIT_VERSION=$(sed -n 's#^    buildkit: "docker.io/moby/buildkit:\(v[0-9.]*\)@sha256:[0-9a-f]*",$#\1#p' "$_versions_ts")
if [ -z "$BUILDKIT_VERSION" ]; then
    echo "toolchain: could not read the BuildKit release from platformImages.buildkit in vocabulary/versions.ts" >&2
    exit 1
fi
export BUILDKIT_VERSION
