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
