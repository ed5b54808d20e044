import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "../common/resources";
import { KubernetesObject, ManifestSource, loadManifest } from "./manifest-source";
import { placeInNamespace, withDefaultResources } from "./transforms";

export interface ManifestInstallArgs {
    source: ManifestSource;
    /** Namespace for the manifest's namespaced objects (it must already exist). */
    namespace: string;
    /** Requests/limits for upstream containers that state none. */
    defaultResources: ContainerResources;
    /** Further edits to the parsed objects (e.g. a server flag). */
    customize?: (objects: KubernetesObject[]) => KubernetesObject[];
    /** Resources the manifest's objects wait for (e.g. a Secret its servers read at start). */
    dependsOn?: pulumi.Resource[];
}

/** Prepares an upstream manifest for Pulumi: namespaced, with resources, customized. */
export function prepareObjects(objects: KubernetesObject[], args: Omit<ManifestInstallArgs, "source" | "dependsOn">): KubernetesObject[] {
    const placed = withDefaultResources(placeInNamespace(objects, args.namespace), args.defaultResources);
    return args.customize ? args.customize(placed) : placed;
}

/**
 * An upstream install manifest (Argo Workflows, Argo CD, Argo Events) applied as one
 * ConfigGroup. Pulumi orders CRDs and namespaces first and waits for the Deployments.
 */
export class ManifestInstall extends pulumi.ComponentResource {
    readonly group: k8s.yaml.v2.ConfigGroup;

    constructor(type: string, name: string, args: ManifestInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const objs = pulumi.output(loadManifest(args.source)).apply((objects) => prepareObjects(objects, args));
        this.group = new k8s.yaml.v2.ConfigGroup(`${name}-manifest`, { objs }, { parent: this, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
