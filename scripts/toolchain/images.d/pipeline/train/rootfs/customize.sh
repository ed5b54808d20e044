#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs. The working directory
# holds this script and a copy of pipeline/images/train/requirements.lock.txt (80-pipeline.sh puts
# it there, so the lock is an input of the rootfs's hash). What pipeline/images/train/Dockerfile
# makes after its apt-get: the venv /opt/venv over the system's packages (Debian's torch and
# torchvision), exactly the lock from PyPI, every file checked against its hash, and the user
# train (10001) with /tmp as its home.
set -euo pipefail
root=$1
venv=/opt/venv
# The files come from PyPI through the machine's pip (its network and certificates), each
# checked against its hash; the machine's Python is Debian 12's 3.11, as the rootfs's, so pip
# picks the same wheels. Inside the rootfs the venv's own pip (Debian's python3-pip-whl, which
# `python3 -m venv` installs, as in the Dockerfile) installs them offline.
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
/usr/bin/python3 -m venv "$wheels/pip"
"$wheels/pip/bin/pip" download --quiet --disable-pip-version-check --no-cache-dir --require-hashes --no-deps \
    --only-binary=:all: --dest "$wheels/files" -r requirements.lock.txt
cp -r "$wheels/files" "$root/tmp/wheels"
install -D -m 0644 requirements.lock.txt "$root/opt/train/requirements.lock.txt"
chroot "$root" python3 -m venv --system-site-packages "$venv"
chroot "$root" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir --no-compile \
    --no-index --find-links /tmp/wheels --require-hashes --no-deps -r /opt/train/requirements.lock.txt
# Bytecode checked by hash, not by the source's timestamp: the image pins every timestamp, which
# would leave dpkg's and pip's bytecode stale and every import compiling again (torch's thousands).
chroot "$root" python3 -m compileall -q -f -j 1 --invalidation-mode unchecked-hash \
    /usr/lib/python3.11 /usr/lib/python3/dist-packages "$venv/lib"
rm -rf "$root/tmp/wheels" "$root/root/.cache"
# The Dockerfile's groupadd and useradd (no passwd package here to run them).
echo 'train:x:10001:10001::/tmp:/usr/sbin/nologin' >> "$root/etc/passwd"
echo 'train:x:10001:' >> "$root/etc/group"
