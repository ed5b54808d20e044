import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { registry, registryNodeMirror } from "../../../vocabulary/names";
import { pulumiArgs } from "../common/to-pulumi";
import { registryManifests } from "./manifests";

export interface ImageRegistryArgs {
    storageSize: string;
    storageClassName: string;
}

/**
 * A persistent OCI registry in kube-system. Images survive pod restarts (they live on a
 * PVC); workflow pods push and pull at `registry.host`, nodes pull through the K3s mirror.
 */
export class ImageRegistry extends pulumi.ComponentResource {
    /** Where pods address the registry: `registry.kube-system.svc.cluster.local:5000`. */
    readonly host: pulumi.Output<string>;
    /** Where each node's containerd reaches it (the registries.yaml mirror endpoint). */
    readonly nodeEndpoint: pulumi.Output<string>;

    constructor(name: string, args: ImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ImageRegistry", name, {}, opts);
        const manifests = registryManifests(args);
        const child = { parent: this };

        const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, pulumiArgs(manifests.volumeClaim), child);
        const deployment = new k8s.apps.v1.Deployment(name, pulumiArgs(manifests.deployment), { ...child, dependsOn: [claim] });
        const service = new k8s.core.v1.Service(name, pulumiArgs(manifests.service), { ...child, dependsOn: [deployment] });

        this.host = service.metadata.apply(() => registry.host);
        this.nodeEndpoint = service.metadata.apply(() => registryNodeMirror.endpoint);
        this.registerOutputs({ host: this.host, nodeEndpoint: this.nodeEndpoint });
    }
}
