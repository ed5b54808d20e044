import { namespaces, PROJECT } from "../../../vocabulary/names";
import { k3sVersion } from "../../../vocabulary/versions";
import { type INamespace, manifest } from "./manifest";

export type PodSecurityLevel = "restricted" | "baseline";

/**
 * The Pod Security admission level `enforce`d in every namespace this program creates, and why.
 * `restricted` needs every pod to run non-root with no added capabilities; where a workload
 * cannot, the namespace enforces `baseline` (no privileged pods, no host namespaces or hostPath,
 * no capabilities beyond the default set) and still warns and audits against `restricted`.
 */
export const namespacePodSecurity: Readonly<Record<string, { level: PodSecurityLevel; why: string }>> = {
    [namespaces.platform]: {
        level: "baseline",
        why: "the in-cluster image builds (BuildKit) start as root with SETUID and SETGID under a Localhost seccomp profile, to create the build's user namespace; every other pod here is restricted",
    },
    [namespaces.argo]: {
        level: "baseline",
        why: "the upstream Argo Workflows install (server and controller) is applied as published, without a seccomp profile",
    },
    [namespaces.workflows]: {
        level: "baseline",
        why: "build-container-image's BuildKit step starts as root with SETUID and SETGID under a Localhost seccomp profile, to create the build's user namespace; every other step is restricted",
    },
    [namespaces.argocd]: {
        level: "baseline",
        why: "the upstream Argo CD install is applied as published; its pods are not all checked against restricted here",
    },
    [namespaces.argoEvents]: {
        level: "baseline",
        why: "the upstream Argo Events install and its JetStream event bus are applied as published",
    },
    [namespaces.staging]: { level: "baseline", why: "the app image is built from the upstream app repository, which runs as root" },
    [namespaces.canary]: { level: "baseline", why: "the app image is built from the upstream app repository, which runs as root" },
    [namespaces.production]: { level: "baseline", why: "the app image is built from the upstream app repository, which runs as root" },
};

/** The Kubernetes minor the policy levels are read at: the pinned K3s release's (vocabulary/versions). */
export const podSecurityVersion = /^v\d+\.\d+/.exec(k3sVersion)![0];

export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": podSecurityVersion,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": podSecurityVersion,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": podSecurityVersion,
    };
}

/** A namespace of the program, with its Pod Security labels; one missing from the table is an error. */
export function namespaceManifest(name: string, labels: Record<string, string> = {}): INamespace {
    const security = namespacePodSecurity[name];
    if (!security) throw new Error(`namespace ${name} has no Pod Security level in infra/platform/common/namespace.ts`);
    return manifest.Namespace({
        metadata: { name, labels: { "app.kubernetes.io/part-of": PROJECT, ...labels, ...podSecurityLabels(security.level) } },
    });
}
