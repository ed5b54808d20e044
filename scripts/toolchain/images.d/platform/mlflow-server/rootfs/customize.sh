#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs, the working
# directory this one. What infra/platform/mlflow/image/Dockerfile makes on python:3.11-slim:
# MLflow and its drivers in a virtual environment, exactly the hash-pinned requirements.txt
# (from PyPI, every file checked against its hash), and the user 10001 the server runs as.
set -euo pipefail
root=$1
venv=/opt/mlflow
# The files come from PyPI through the machine's pip (its network and certificates), each
# checked against its hash; Debian's Python on the machine is the rootfs's, so pip picks the
# same wheels. Inside the rootfs pip only installs them, offline.
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
/usr/bin/python3 -m venv "$wheels/pip"
"$wheels/pip/bin/pip" download --quiet --disable-pip-version-check --no-cache-dir --require-hashes --no-deps \
    --only-binary=:all: --dest "$wheels/files" -r requirements.txt
cp -r "$wheels/files" "$root/tmp/wheels"
install -m 0644 requirements.txt "$root/tmp/requirements.txt"
chroot "$root" python3 -m venv "$venv"
chroot "$root" "$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir --no-compile --no-index \
    --find-links /tmp/wheels --require-hashes --no-deps -r /tmp/requirements.txt
# Bytecode checked by hash, not by the source's timestamp: the image pins every timestamp.
chroot "$root" "$venv/bin/python" -m compileall -q -j 1 --invalidation-mode unchecked-hash "$venv/lib"
rm -rf "$root/tmp/wheels" "$root/tmp/requirements.txt" "$root/root/.cache"
# The Dockerfile's `useradd --uid 10001 --create-home mlflow`.
echo 'mlflow:x:10001:10001::/home/mlflow:/bin/sh' >> "$root/etc/passwd"
echo 'mlflow:x:10001:' >> "$root/etc/group"
install -d -m 0755 -o 10001 -g 10001 "$root/home/mlflow"
