/**
 * The Pod Security `restricted` profile, applied by the builders of every pod this program
 * writes: non-root, no privilege escalation, every capability dropped, the runtime's default
 * seccomp profile, a read-only root filesystem (writable paths are emptyDir volumes), and no
 * service-account token unless the pod calls the Kubernetes API.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";

/** The user our own images run as (the MLflow server image's USER). */
export const defaultUid = 10001;

export function restrictedSecurityContext(options: { readOnlyRootFilesystem?: boolean } = {}): ISecurityContext {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        privileged: false,
        readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** A container with the restricted security context (a read-only root unless `writableRoot`). */
export function restrictedContainer<C extends IContainer>(container: C, options: { writableRoot?: boolean } = {}): C {
    return { ...container, securityContext: { ...restrictedSecurityContext({ readOnlyRootFilesystem: !options.writableRoot }), ...container.securityContext } };
}

export interface PodIdentity {
    /** The numeric user (images that name a user by name fail runAsNonRoot without it). */
    readonly uid?: number;
    readonly gid?: number;
    /** Calls the Kubernetes API: only then is a service-account token mounted. */
    readonly usesKubernetesApi?: boolean;
}

export function restrictedPodSecurityContext(identity: PodIdentity = {}): IPodSecurityContext {
    const uid = identity.uid ?? defaultUid;
    const gid = identity.gid ?? uid;
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, seccompProfile: { type: "RuntimeDefault" } };
}

/** A pod spec with the restricted pod security context and no token unless it calls the API. */
export function restrictedPod<P extends IPodSpec>(spec: P, identity: PodIdentity = {}): P {
    return {
        ...spec,
        automountServiceAccountToken: identity.usesKubernetesApi ?? false,
        securityContext: { ...restrictedPodSecurityContext(identity), ...spec.securityContext },
    };
}

/**
 * checkov's in-object waivers (`checkov.io/skip<n>: <check>=<reason>` annotations): a check that
 * cannot apply to this object, waived beside it with the reason.
 */
export function checkovWaivers(waivers: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(waivers).map(([check, reason], i) => [`checkov.io/skip${i + 1}`, `${check}=${reason}`]));
}

/**
 * What Kaniko keeps of a container runtime's default capabilities: everything a Dockerfile's
 * layers and RUN steps may need (unpacking files with owners, modes, device nodes and file
 * capabilities; apt dropping to its own user), all within Pod Security `baseline`. NET_RAW goes.
 */
export const kanikoCapabilities = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"] as const;

/**
 * Kaniko builds an image by unpacking and running its layers in its own root filesystem, as
 * root: it cannot be restricted. It gets the rest: no privilege escalation, the default seccomp
 * profile, and no capability outside `kanikoCapabilities`.
 */
export function kanikoSecurityContext(): ISecurityContext {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"], add: [...kanikoCapabilities] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export const kanikoWaivers = {
    CKV_K8S_22: "Kaniko writes the image it builds into its own root filesystem",
    CKV_K8S_23: "Kaniko must run as root to unpack and run image layers",
    CKV_K8S_40: "Kaniko must run as root to unpack and run image layers",
    CKV_K8S_37: "Kaniko unpacks and runs image layers as root with the runtime's default capabilities (less NET_RAW, all within Pod Security baseline)",
    CKV_K8S_25: "Kaniko unpacks and runs image layers as root with the runtime's default capabilities (less NET_RAW, all within Pod Security baseline)",
} as const;

/** Checks that cannot apply to an image this program builds in the cluster, and why. */
export const inClusterImageWaivers = {
    CKV_K8S_43: "the image is built in the cluster by this program and tagged with the sha256 of its sources; its digest is not known when the object is written",
    CKV_K8S_15: "the content-hash tag never moves, so IfNotPresent pulls exactly what Always would",
} as const;
