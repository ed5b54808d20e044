import { type IDeployment, type IPersistentVolumeClaim, type IService, manifest } from "./manifest";
import { selectorLabels, waitForFirstConsumerAnnotations } from "./labels";

type PodSpec = NonNullable<NonNullable<IDeployment["spec"]>["template"]["spec"]>;

export interface ComponentIdentity {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
}

/** The ReadWriteOnce volume that holds one component's data, named `<name>-data`. */
export function dataVolumeClaim(
    component: ComponentIdentity,
    storage: { readonly storageClassName: string; readonly storageSize: string },
): IPersistentVolumeClaim {
    return manifest.PersistentVolumeClaim({
        metadata: {
            name: `${component.name}-data`,
            namespace: component.namespace,
            labels: component.labels,
            annotations: { ...waitForFirstConsumerAnnotations },
        },
        spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: storage.storageClassName,
            resources: { requests: { storage: storage.storageSize } },
        },
    });
}

/**
 * One pod of a platform component. With a data volume the rollout is Recreate: the volume is
 * ReadWriteOnce, so the old pod must let go of it before the new one can mount it.
 */
export function singleInstanceDeployment(
    component: ComponentIdentity & { readonly mountsDataVolume: boolean; readonly annotations?: Record<string, string> },
    podSpec: PodSpec,
): IDeployment {
    return manifest.Deployment({
        metadata: {
            name: component.name,
            namespace: component.namespace,
            labels: component.labels,
            ...(component.annotations ? { annotations: component.annotations } : {}),
        },
        spec: {
            replicas: 1,
            ...(component.mountsDataVolume ? { strategy: { type: "Recreate" } } : {}),
            selector: { matchLabels: selectorLabels(component.name) },
            template: { metadata: { labels: component.labels }, spec: podSpec },
        },
    });
}

/** The pod volume (named `data`) that mounts a component's data claim. */
export function dataVolume(claim: IPersistentVolumeClaim) {
    return { name: "data", persistentVolumeClaim: { claimName: claim.metadata?.name ?? "" } };
}

/** The in-cluster Service in front of a component's pod, one named port each. */
export function clusterService(component: ComponentIdentity, ports: Readonly<Record<string, number>>): IService {
    return manifest.Service({
        metadata: { name: component.name, namespace: component.namespace, labels: component.labels },
        spec: {
            type: "ClusterIP",
            selector: selectorLabels(component.name),
            ports: Object.entries(ports).map(([name, port]) => ({ name, port, targetPort: port })),
        },
    });
}
