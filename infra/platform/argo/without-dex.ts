import type { KubernetesObject } from "./manifest-source";

/**
 * Argo CD's install runs Dex for single sign-on. The lab signs in to Argo CD with the
 * program's admin password only and configures no SSO connector, so Dex would be a running
 * server, an image to pull and a ServiceAccount with Secret access that nothing uses. Argo CD
 * works without it (its docs: delete the Dex Deployment when SSO is not used).
 */
export const dexComponent = "dex-server";

/** The install without every object of its Dex component. */
export function withoutDex(objects: KubernetesObject[]): KubernetesObject[] {
    return objects.filter((o) => (o.metadata.labels as Record<string, string> | undefined)?.["app.kubernetes.io/component"] !== dexComponent);
}
