#!/usr/bin/env bash
# .venv: Debian's Python 3.11 with Debian's CPU-only PyTorch and torchvision seen through system
# site packages (the same packages, at the same versions, as the training image), plus the PyPI
# packages of test/requirements.lock.txt (the training image's lock and what the tests add), each
# file checked against its sha256 (--require-hashes) and nothing else installed (--no-deps).
# PyPI's torch wheel for Linux needs several GB of CUDA libraries; Debian's is ~150 MB of .debs.
# The venv lives in the machine's cache, named by the hash of those inputs, and .venv links to
# it: a fresh clone on a machine that built it before (as CI is) reuses it at once.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../.."

train=pipeline/images/train
python=/usr/bin/python3.11

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

want=$(cat "$self" test/requirements.lock.txt "$train/requirements.lock.txt" \
    "$train/debian-packages.txt" | sha256sum | cut -d' ' -f1)
venv="${GOURMETGRAM_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gourmetgram}/venv-${want:0:16}"
stamp="$venv/.inputs.sha256"

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    mkdir -p "${venv%/*}"
    "$python" -m venv --system-site-packages "$venv"
    pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
    "${pip[@]}" install --require-hashes --no-deps -r test/requirements.lock.txt
    "$venv/bin/python" -c 'import mlflow, pytest, torch, torchvision; print("python: torch", torch.__version__, "torchvision", torchvision.__version__, "mlflow", mlflow.__version__)'
    echo "$want" > "$stamp"
else
    echo "python: venv for these requirements is cached"
fi

# An older checkout-local venv is replaced by the link.
if [ -e .venv ] && [ ! -L .venv ]; then rm -rf .venv; fi
ln -sfn "$venv" .venv
