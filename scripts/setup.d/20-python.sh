#!/usr/bin/env bash
# .venv: Debian's Python 3.11 with Debian's CPU-only PyTorch and torchvision seen through system
# site packages (the same packages, at the same versions, as the training image), plus the pinned
# PyPI packages of test/requirements.txt, locked by the training image's constraints.txt.
# PyPI's torch wheel for Linux needs several GB of CUDA libraries; Debian's is ~150 MB of .debs.
# Rebuilds only when one of those inputs changes.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../.."

train=pipeline/images/train
python=/usr/bin/python3.11
stamp=.venv/.inputs.sha256

mapfile -t debs < <(grep -v '^\s*\(#\|$\)' "$train/debian-packages.txt")
missing=()
for pinned in "${debs[@]}"; do
    name=${pinned%%=*} version=${pinned#*=}
    [ "$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)" = "$version" ] || missing+=("$pinned")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "python: installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

want=$(cat "$self" test/requirements.txt "$train/requirements.txt" "$train/constraints.txt" \
    "$train/debian-packages.txt" | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "python: .venv is up to date"
    exit 0
fi

# A venv from another interpreter, or one that cannot see Debian's torch, is rebuilt from scratch.
if [ -e .venv ] && { ! grep -qx 'include-system-site-packages = true' .venv/pyvenv.cfg 2>/dev/null \
    || ! grep -qx "home = ${python%/*}" .venv/pyvenv.cfg 2>/dev/null; }; then
    echo "python: replacing .venv (built from another interpreter)"
    rm -rf .venv
fi
[ -x .venv/bin/python ] || "$python" -m venv --system-site-packages .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install -r test/requirements.txt -c "$train/constraints.txt"
.venv/bin/python -c 'import mlflow, pytest, torch, torchvision; print("python: torch", torch.__version__, "torchvision", torchvision.__version__, "mlflow", mlflow.__version__)'
echo "$want" > "$stamp"
