import * as path from "node:path";

/**
 * The seccomp profiles every node keeps for the pods that name them
 * (`seccompProfile: {type: Localhost, localhostProfile: <name>}`). `scripts/seccomp` mirrors the
 * kubelet's seccomp directory: the K3s install copies it there on every node, and a profile's
 * name is its path below it.
 */
export const seccompProfilesDir = path.join(__dirname, "scripts", "seccomp");

/** Where K3s's kubelet (root directory /var/lib/kubelet) looks up a Localhost profile's name. */
export const kubeletSeccompDir = "/var/lib/kubelet/seccomp";

export const seccompProfiles = {
    /**
     * The in-cluster image builds (docs/image-builds.md): the runtime's default profile plus the
     * namespace and mount calls BuildKit needs inside the user namespace the build creates.
     */
    imageBuilder: "gourmetgram/image-builder.json",
} as const;

export type SeccompProfileName = (typeof seccompProfiles)[keyof typeof seccompProfiles];

/** The profile's file in this repository. */
export function seccompProfileFile(name: SeccompProfileName): string {
    return path.join(seccompProfilesDir, name);
}
