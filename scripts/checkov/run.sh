#!/usr/bin/env bash
# checkov's Kubernetes checks over every manifest the chameleon stack applies (npm run render),
# the outside yardstick for the security contexts, token mounts, NetworkPolicies and secrets of
# the objects this program writes. A check that cannot apply to an object is waived beside it
# (a checkov.io/skip<n> annotation with the reason). Exit status: checkov's (non-zero on a
# failed check). Usage: scripts/checkov/run.sh [output directory, default .cache/checkov/render]
set -euo pipefail
cd "$(dirname "$0")/../.."

checkov=.cache/checkov/venv/bin/checkov
[ -x "$checkov" ] || { echo "checkov: $checkov is missing; run scripts/setup.d/35-checkov.sh" >&2; exit 2; }
out=${1:-.cache/checkov/render}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The stack file's key path need only exist (nothing is read). The Argo installs are applied
# from upstream at deploy time and render lists them as not rendered, so the program is handed
# the unit tests' small stand-ins instead of downloading them (CI has no route to GitHub).
: > "$work/ssh-key"
fixtures=test/unit/platform/fixtures
npm run -s render -- --stack chameleon --out "$out" \
    --config "sshPrivateKeyPath=$work/ssh-key" \
    --config "argoWorkflowsManifest=$fixtures/argo-workflows-install.yaml" \
    --config "argoCdManifest=$fixtures/argo-cd-install.yaml"
"$checkov" --directory "$out" --framework kubernetes --quiet --compact --output cli
