import { PROJECT } from "../../../vocabulary/names";

/** The labels every platform object carries; `app` selects a component's pods. */
export function componentLabels(component: string): Record<string, string> {
    return {
        app: component,
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/part-of": PROJECT,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The subset of labels a selector may use (selectors are immutable, keep them small). */
export function selectorLabels(component: string): Record<string, string> {
    return { app: component };
}

/**
 * PVCs on K3s' local-path class bind only when a pod mounts them (WaitForFirstConsumer);
 * Pulumi must not wait for "Bound" before creating that pod.
 */
export const waitForFirstConsumerAnnotations = { "pulumi.com/skipAwait": "true" } as const;
