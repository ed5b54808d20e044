#!/usr/bin/env bash
# A virtualenv at .venv with the pinned Python test dependencies (test/requirements.txt).
# Reinstalls only when the requirements change.
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
stamp=.venv/.requirements.sha256
want=$(sha256sum test/requirements.txt | cut -d' ' -f1)

if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "python: .venv is up to date"
    exit 0
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r test/requirements.txt
echo "$want" > "$stamp"
