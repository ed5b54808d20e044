/**
 * First-boot script for a node. It makes the node's own name resolvable (sudo complains on
 * every call otherwise) and asks Chameleon's agent to load the project members' SSH keys.
 */
export function nodeUserData(hostname: string, sshUser: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        `echo "127.0.1.1 ${hostname}" >> /etc/hosts`,
        `if [ -x /usr/local/bin/cc-load-public-keys ]; then su ${sshUser} -c /usr/local/bin/cc-load-public-keys; fi`,
        "",
    ].join("\n");
}
