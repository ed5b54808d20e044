#!/usr/bin/env bash
# .app-venv: the Python the app stand-in (test/support/app-standin) runs with, on the app's own
# pins: PyPI's torch 2.5.1 and torchvision 0.20.1, as the app image installs them. Its memory and
# latency are what staging's limits are calibrated against; Debian's torch 1.13 in .venv is about
# twice as slow per request and lighter in memory (docs/gates.md). About 3 GB of wheels, most of
# them CUDA libraries the CPU never loads. Cached like .venv: named by the hash of its inputs.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../.."

requirements=test/support/app-standin/requirements.txt
python=/usr/bin/python3.11

want=$(cat "$self" "$requirements" | sha256sum | cut -d' ' -f1)
venv="${GOURMETGRAM_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gourmetgram}/app-venv-${want:0:16}"
stamp="$venv/.inputs.sha256"

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    mkdir -p "${venv%/*}"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install --no-deps -r "$requirements"
    "$venv/bin/python" -c 'import flask, torch, torchvision; print("app python: torch", torch.__version__, "torchvision", torchvision.__version__, "flask", flask.__version__)'
    echo "$want" > "$stamp"
else
    echo "app python: venv for these requirements is cached"
fi

if [ -e .app-venv ] && [ ! -L .app-venv ]; then rm -rf .app-venv; fi
ln -sfn "$venv" .app-venv
