#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs. Bytecode of Debian's
# Python packages checked by hash, not by the source's timestamp: the image pins every timestamp,
# which would leave dpkg's bytecode stale and the app compiling torch again at every start.
set -euo pipefail
chroot "$1" python3 -m compileall -q -f -j 1 --invalidation-mode unchecked-hash /usr/lib/python3.11 /usr/lib/python3/dist-packages
