#!/usr/bin/env bash
# .cache/checkov/venv: checkov at the version pinned in scripts/checkov/requirements.txt, for
# scripts/checkov/run.sh (the Kubernetes checks over `npm run render` of the chameleon stack).
# Rebuilt only when the requirements file changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

requirements=scripts/checkov/requirements.txt
venv=.cache/checkov/venv
want=$(sha256sum "$requirements" | cut -d' ' -f1)
stamp="$venv/.requirements.sha256"

if [ -x "$venv/bin/checkov" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "checkov: venv for these requirements is cached"
    exit 0
fi
rm -rf "$venv"
mkdir -p "${venv%/*}"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
"$venv/bin/checkov" --version
echo "$want" > "$stamp"
