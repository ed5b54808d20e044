#!/usr/bin/env bash
# The e2e toolchain: etcd, kube-apiserver + kubectl, kube-controller-manager, the argo CLI, helm,
# the Pulumi CLI and its Kubernetes provider built from the Go
# module proxy, plus the pinned Argo CRDs and install manifests, cached per machine by version
# (scripts/toolchain/lib.sh) and linked as .cache/toolchain. A warm machine reuses every
# finished build; a cold one takes about 75 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v openssl > /dev/null || { apt-get update && apt-get install -y openssl; }
bash scripts/toolchain/build.sh
