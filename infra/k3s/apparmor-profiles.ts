import * as path from "node:path";

/**
 * The AppArmor profiles the K3s install loads on every node whose AppArmor can hold them
 * (install_apparmor_profiles, scripts/common.sh), for the containers that name them
 * (`appArmorProfile: {type: Localhost, localhostProfile: <name>}`). Each file in
 * `scripts/apparmor` holds the profile of its own name.
 */
export const appArmorProfilesDir = path.join(__dirname, "scripts", "apparmor");

/** Where the install keeps them on a node, so that the boot loads them again. */
export const nodeAppArmorDir = "/etc/apparmor.d";

export const appArmorProfiles = {
    /**
     * The in-cluster image builds (docs/image-builds.md): containerd's default profile, with the
     * user namespace, the mounts and the pivot_root that BuildKit performs inside it allowed.
     */
    imageBuilder: "gourmetgram-image-builder",
} as const;

export type AppArmorProfileName = (typeof appArmorProfiles)[keyof typeof appArmorProfiles];

/** The profile's file in this repository. */
export function appArmorProfileFile(name: AppArmorProfileName): string {
    return path.join(appArmorProfilesDir, name);
}

/**
 * Which of the lab's node profiles a pod may name. The seccomp profiles are always named (an
 * existing cluster's admin installs them, docs/platform.md); the AppArmor ones only where the
 * nodes are known to hold them, because a kubelet refuses a pod that asks for AppArmor on a node
 * without it, and the runtime a container whose profile is not loaded.
 */
export interface NodeSecurityProfiles {
    /** Every node runs AppArmor and holds appArmorProfiles: the K3s install loaded them. */
    readonly appArmor: boolean;
}

/** What a cluster the program did not install is known to hold: no AppArmor profile. */
export const withoutNodeAppArmor: NodeSecurityProfiles = { appArmor: false };
