#!/usr/bin/env bash
# Builds (or reuses) every tool the e2e suite runs, from the Go module proxy, one at a
# time, then points .cache/toolchain/{bin,crds,manifests} at the pinned versions.
# .cache/toolchain links to the machine-wide cache (lib.sh: toolchain_root). `build.sh kubernetes` builds one; no argument builds all.
# The engine leg's tools (pulumi, pulumi-kubernetes, kube-controller-manager) are steps like the rest.
# So are the one-node test cluster's node, add-ons and images (docs/cluster.md).
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"

link_into_checkout
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(crds etcd kubernetes kube-controller-manager argo helm manifests pulumi pulumi-kubernetes)
# The one-node test cluster's node, add-ons and images (images last: it packs the add-ons).
[ $# -gt 0 ] || steps+=(kubernetes-node coredns metrics-server local-path-provisioner crictl argo-workflows-controller argo-cd minio mc buildkit images)
for step in "${steps[@]}"; do
    case "$step" in
        crds) bash "$here/fetch-crds.sh" ;;
        etcd) bash "$here/build-etcd.sh" ;;
        kubernetes) bash "$here/build-kubernetes.sh" ;;
        kube-controller-manager) bash "$here/build-kube-controller-manager.sh" ;;
        argo) bash "$here/build-argo.sh" ;;
        helm) bash "$here/build-helm.sh" ;;
        manifests) bash "$here/fetch-manifests.sh" ;;
        pulumi) bash "$here/build-pulumi.sh" ;;
        pulumi-kubernetes) bash "$here/build-pulumi-kubernetes.sh" ;;
        kubernetes-node | coredns | metrics-server | local-path-provisioner | crictl | argo-workflows-controller | argo-cd | minio | mc | buildkit | images)
            bash "$here/build-$step.sh" ;;
        *) log "unknown step '$step' (allowed: crds etcd kubernetes kube-controller-manager argo helm manifests pulumi pulumi-kubernetes kubernetes-node coredns metrics-server local-path-provisioner crictl argo-workflows-controller argo-cd minio mc buildkit images)"; exit 2 ;;
    esac
done

root=$(toolchain_root)
mkdir -p "$root/bin" "$root/crds" "$root/manifests" "$root/plugins"
link() { # TARGET LINK, only when the target was built
    if [ -e "$1" ]; then ln -sfn "$1" "$2"; fi
}
link "$(tool_dir etcd "$ETCD_VERSION")/bin/etcd" "$root/bin/etcd"
link "$(tool_dir kubernetes "$KUBERNETES_VERSION")/bin/kube-apiserver" "$root/bin/kube-apiserver"
link "$(tool_dir kubernetes "$KUBERNETES_VERSION")/bin/kubectl" "$root/bin/kubectl"
link "$(tool_dir kube-controller-manager "$KUBERNETES_VERSION")/bin/kube-controller-manager" "$root/bin/kube-controller-manager"
link "$(tool_dir argo "$ARGO_WORKFLOWS_VERSION")/bin/argo" "$root/bin/argo"
link "$(tool_dir helm "$HELM_VERSION")/bin/helm" "$root/bin/helm"
# The CLI keeps its dynamic-provider launcher beside it (the engine looks there); the resource
# plugin stays off bin/ so nothing finds it on PATH: the e2e suite installs it for the engine.
link "$(tool_dir pulumi "$PULUMI_VERSION")/bin/pulumi" "$root/bin/pulumi"
link "$(tool_dir pulumi "$PULUMI_VERSION")/bin/pulumi-resource-pulumi-nodejs" "$root/bin/pulumi-resource-pulumi-nodejs"
link "$(tool_dir pulumi-kubernetes "$PULUMI_KUBERNETES_VERSION")/bin/pulumi-resource-kubernetes" "$root/plugins/pulumi-resource-kubernetes"
for node in kubelet kube-proxy kube-scheduler; do
    link "$(tool_dir kubernetes-node "$KUBERNETES_VERSION")/bin/$node" "$root/bin/$node"
done
link "$(tool_dir crictl "$CRICTL_VERSION")/bin/crictl" "$root/bin/crictl"
# The add-ons' release manifests, which the cluster harness applies.
link "$(tool_dir metrics-server "$METRICS_SERVER_VERSION")/manifests/manifests" "$root/manifests/metrics-server"
link "$(tool_dir local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")/manifests/deploy/local-path-storage.yaml" \
    "$root/manifests/local-path-storage.yaml"
link "$(tool_dir argo-workflows-crds "$ARGO_WORKFLOWS_VERSION")/crds" "$root/crds/argo-workflows"
link "$(tool_dir argo-cd-crds "$ARGO_CD_VERSION")/crds" "$root/crds/argo-cd"
link "$(tool_dir argo-workflows-manifests "$ARGO_WORKFLOWS_VERSION")/install.yaml" "$root/manifests/argo-workflows-install.yaml"
link "$(tool_dir argo-cd-manifests "$ARGO_CD_VERSION")/install.yaml" "$root/manifests/argo-cd-install.yaml"

# What the e2e suite checks the links against.
cat > "$root/versions.json" <<JSON
{
  "etcd": "$ETCD_VERSION",
  "kubernetes": "$KUBERNETES_VERSION",
  "argoWorkflows": "$ARGO_WORKFLOWS_VERSION",
  "argoCd": "$ARGO_CD_VERSION",
  "helm": "$HELM_VERSION",
  "kubeControllerManager": "$KUBERNETES_VERSION",
  "pulumi": "$PULUMI_VERSION",
  "pulumiKubernetes": "$PULUMI_KUBERNETES_VERSION",
  "clusterNode": "$KUBERNETES_VERSION",
  "coredns": "$COREDNS_VERSION",
  "metricsServer": "$METRICS_SERVER_VERSION",
  "localPathProvisioner": "$LOCAL_PATH_PROVISIONER_VERSION",
  "crictl": "$CRICTL_VERSION"
}
JSON
log "ready under ${root#"$REPO_ROOT"/}"
