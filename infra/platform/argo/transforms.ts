import type { ContainerResources } from "../common/resources";
import type { KubernetesObject } from "./manifest-source";

/** Kinds that live outside namespaces (the ones upstream Argo manifests contain, and a few more). */
export const clusterScopedKinds = new Set([
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "PriorityClass",
    "StorageClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "PersistentVolume",
]);

/**
 * Upstream install manifests leave the namespace to `kubectl apply -n`. Pulumi applies each
 * object as written, so namespaced objects without one are put in `namespace` here; objects
 * that name a namespace keep it.
 */
export function placeInNamespace(objects: KubernetesObject[], namespace: string): KubernetesObject[] {
    return objects.map((object) =>
        clusterScopedKinds.has(object.kind) || object.metadata.namespace
            ? object
            : { ...object, metadata: { ...object.metadata, namespace } },
    );
}

const podBearingKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

type Container = { name: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

/**
 * Gives every container that states no CPU/memory requests or limits the `defaults`, so
 * upstream components follow the same rule as ours (the policy pack blocks containers
 * without limits). Values upstream set are kept.
 */
export function withDefaultResources(objects: KubernetesObject[], defaults: ContainerResources): KubernetesObject[] {
    return objects.map((object) => {
        if (!podBearingKinds.has(object.kind)) return object;
        const copy = structuredClone(object) as KubernetesObject & { spec?: { template?: { spec?: Record<string, Container[]> } } };
        const podSpec = copy.spec?.template?.spec;
        for (const field of ["containers", "initContainers"]) {
            for (const container of podSpec?.[field] ?? []) {
                const requests = { ...defaults.requests, ...(container.resources?.requests ?? {}) };
                const limits = { ...defaults.limits, ...(container.resources?.limits ?? {}) };
                container.resources = { ...(container.resources ?? {}), requests, limits };
            }
        }
        return copy;
    });
}

/** Sets `--<flag>=<value>` on one container of one Deployment, replacing an existing setting. */
export function setContainerFlag(
    objects: KubernetesObject[],
    target: { deployment: string; container: string },
    flag: string,
    value: string,
): KubernetesObject[] {
    let found = false;
    const result = objects.map((object) => {
        if (object.kind !== "Deployment" || object.metadata.name !== target.deployment) return object;
        const copy = structuredClone(object) as KubernetesObject & { spec: { template: { spec: { containers: Array<{ name: string; args?: string[] }> } } } };
        for (const container of copy.spec.template.spec.containers) {
            if (container.name !== target.container) continue;
            found = true;
            const kept = (container.args ?? []).filter((a, i, all) => !a.startsWith(`--${flag}=`) && a !== `--${flag}` && all[i - 1] !== `--${flag}`);
            container.args = [...kept, `--${flag}=${value}`];
        }
        return copy;
    });
    if (!found) throw new Error(`install manifest has no container ${target.container} in Deployment ${target.deployment}`);
    return result;
}
