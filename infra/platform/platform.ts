import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppEnvironments } from "../apps";
import type { NodeSecurityProfiles } from "../k3s/apparmor-profiles";
import { minio, mlflow, namespaces, registry } from "../../vocabulary/names";
import { namespaceManifest } from "./common/namespace";
import { argoNetworkPolicies, platformNetworkPolicies } from "./common/network-policies";
import { registryNetworkPolicy } from "./registry/network-policy";
import { pulumiArgs } from "./common/to-pulumi";
import { ArgoCd, ArgoEvents, ArgoWorkflows } from "./argo";
import type { PlatformSettings } from "./config";
import { Minio } from "./minio";
import { Mlflow } from "./mlflow";
import { Postgres } from "./postgres";
import { ImageRegistry } from "./registry";
import type { RegistryLogin } from "./registry/login";
import { PlatformUrls, platformUrls } from "./urls";

export interface PlatformArgs {
    settings: PlatformSettings;
    /** The cluster's public address (floating IP or host name), when it has one. */
    publicAddress?: pulumi.Input<string | undefined>;
    /** What the cluster's nodes hold of the lab's security profiles (the cluster's `nodeProfiles`); none when omitted. */
    nodeProfiles?: NodeSecurityProfiles;
}

/** Namespaces the platform creates (kube-system already exists). */
export const platformNamespaces = [namespaces.platform, namespaces.argo, namespaces.workflows, namespaces.argocd] as const;

/**
 * Everything in the cluster below the pipeline: the image registry, MLflow with its
 * Postgres and MinIO, Argo Workflows, Argo CD (and Argo Events), and the three app
 * environments.
 */
export class Platform extends pulumi.ComponentResource {
    readonly registryHost: string = registry.host;
    readonly mlflowUrl: string = mlflow.url;
    /** Public URLs, undefined when the cluster has no public address. */
    readonly urls: pulumi.Output<PlatformUrls | undefined>;
    /** Secrets for the people of the lab: MLflow's `admin` password and Argo Workflows' bearer token. */
    readonly mlflowAdminPassword: pulumi.Output<string>;
    readonly argoWorkflowsToken: pulumi.Output<string | undefined>;
    readonly argoCdAdminPassword: pulumi.Output<string>;
    /** The in-cluster registry's one login, for pushing or pulling by hand. */
    readonly registryLogin: pulumi.Output<RegistryLogin>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:Platform", name, {}, opts);
        const s = args.settings;
        const child = { parent: this };

        const ns = (n: string) => new k8s.core.v1.Namespace(`${name}-ns-${n}`, pulumiArgs(namespaceManifest(n)), child);
        const [platformNs, argoNs, workflowsNs, argocdNs] = platformNamespaces.map(ns);
        // Each pod accepts only the traffic it needs (K3s enforces NetworkPolicies).
        for (const policy of [...platformNetworkPolicies(), ...argoNetworkPolicies(), registryNetworkPolicy()]) {
            const id = `${policy.metadata!.namespace}-${policy.metadata!.name}`;
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${id}`, pulumiArgs(policy), { ...child, dependsOn: [platformNs, argoNs, workflowsNs] });
        }

        // The login goes where pods push (image builds, build steps), retag (release steps) or pull (MLflow, the pipeline's images).
        const imageRegistry = new ImageRegistry(
            `${name}-registry`,
            { storageSize: s.registryStorageSize, storageClassName: s.storageClassName, loginNamespaces: [namespaces.platform, namespaces.workflows] },
            { ...child, dependsOn: [platformNs, workflowsNs] },
        );
        const postgres = new Postgres(`${name}-postgres`, { storageSize: s.postgresStorageSize, storageClassName: s.storageClassName }, { ...child, dependsOn: [platformNs] });
        const objectStore = new Minio(
            `${name}-minio`,
            { storageSize: s.minioStorageSize, storageClassName: s.storageClassName, buckets: [minio.artifactsBucket] },
            { ...child, dependsOn: [platformNs] },
        );
        const tracking = new Mlflow(
            `${name}-mlflow`,
            { image: s.mlflowImage, imageBuildsEnabled: s.imageBuildsEnabled, nodeProfiles: args.nodeProfiles, publicAddress: args.publicAddress, postgresPassword: postgres.password },
            { ...child, dependsOn: [platformNs, workflowsNs, imageRegistry, postgres, objectStore] },
        );

        const workflows = new ArgoWorkflows(`${name}-argo-workflows`, { source: s.argoWorkflowsManifest, authMode: s.argoWorkflowsAuthMode }, { ...child, dependsOn: [argoNs, workflowsNs] });
        const argocd = new ArgoCd(`${name}-argocd`, { source: s.argoCdManifest }, { ...child, dependsOn: [argocdNs] });
        if (s.argoEvents.enabled) {
            const eventsNs = ns(namespaces.argoEvents);
            new ArgoEvents(`${name}-argo-events`, { source: s.argoEvents.manifest }, { ...child, dependsOn: [eventsNs] });
        }
        new AppEnvironments(
            `${name}-apps`,
            { chartSource: s.appChartSource, resources: s.appResources, publicRoute: s.publicRoute, registryLogin: imageRegistry.login },
            { ...child, dependsOn: [argocd] },
        );

        this.urls = pulumi.output(args.publicAddress).apply((address) => (address ? platformUrls(address) : undefined));
        this.mlflowAdminPassword = tracking.adminPassword;
        this.argoWorkflowsToken = workflows.token;
        this.argoCdAdminPassword = argocd.adminPassword;
        this.registryLogin = imageRegistry.login;
        this.registerOutputs({ urls: this.urls, registryHost: this.registryHost, mlflowUrl: this.mlflowUrl });
    }
}
