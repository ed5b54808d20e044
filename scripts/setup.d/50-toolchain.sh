#!/usr/bin/env bash
# The e2e toolchain: etcd, kube-apiserver + kubectl and the argo CLI built from the Go
# module proxy, plus the pinned Argo CRDs, cached under .cache/toolchain/<tool>-<version>.
# A warm machine reuses every finished build; a cold one takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v openssl > /dev/null || { apt-get update && apt-get install -y openssl; }
bash scripts/toolchain/build.sh
