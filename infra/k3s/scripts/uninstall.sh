#!/usr/bin/env bash
# Removes K3s (server or agent) from this node; does nothing where K3s is not installed.
set -euo pipefail
for uninstaller in /usr/local/bin/k3s-agent-uninstall.sh /usr/local/bin/k3s-uninstall.sh; do
    if [ -x "$uninstaller" ]; then
        "$uninstaller"
    fi
done
rm -f /etc/rancher/k3s/gourmetgram-*.stamp
