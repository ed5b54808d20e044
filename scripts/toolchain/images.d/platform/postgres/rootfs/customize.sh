#!/usr/bin/env bash
# Run by debian_rootfs inside mmdebstrap's customize hook; $1 is the rootfs.
# The program runs Postgres as uid 70, the `postgres` user of the image it pins (Alpine's),
# and initdb needs the running user in /etc/passwd: Debian's postgres user takes that uid.
set -euo pipefail
root=$1
chroot "$root" groupmod --gid 70 postgres
chroot "$root" usermod --uid 70 --gid 70 postgres
# The server's binaries by name, as on the pinned image's PATH.
for tool in postgres initdb pg_ctl; do
    ln -sf "/usr/lib/postgresql/15/bin/$tool" "$root/usr/local/bin/$tool"
done
# Debian's package made a cluster of its own; the entrypoint makes the one the pod uses.
rm -rf "$root"/var/lib/postgresql/15 "$root"/etc/postgresql/15
