/**
 * The Argo CD projects the lab's Applications can name. The pipeline's runners may patch the
 * environments' Applications (that is how an image tag moves), so the project, not RBAC, is
 * what bounds a patch: whatever repoURL, destination or project a patch writes, Argo CD
 * deploys only what the named project allows.
 * - `gourmetgram`: the chart's repository, the three app namespaces on this cluster, and the
 *   kinds the chart renders, nothing cluster-scoped.
 * - `default`: Argo CD creates it allowing everything; here it allows nothing, so moving an
 *   Application into it stops that Application instead of widening it.
 */
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { argoApiVersion } from "../../vocabulary/api-versions";
import { appProjectName, environments, namespaces, PROJECT } from "../../vocabulary/names";

/** Argo CD's name for the cluster it runs in. */
export const inClusterServer = "https://kubernetes.default.svc";

/** Every kind `infra/apps/chart/templates` renders (test/unit/platform/argo-and-apps checks the two agree). */
export const chartKinds: ReadonlyArray<{ group: string; kind: string }> = [
    { group: "apps", kind: "Deployment" },
    { group: "", kind: "Service" },
    { group: "networking.k8s.io", kind: "NetworkPolicy" },
];

const labels = { "app.kubernetes.io/part-of": PROJECT };

export function appProject(chartRepoUrl: string): IAppProject {
    return {
        apiVersion: argoApiVersion,
        kind: "AppProject",
        metadata: { name: appProjectName, namespace: namespaces.argocd, labels },
        spec: {
            description: "GourmetGram app environments: the lab's chart, its three namespaces, the kinds the chart renders.",
            sourceRepos: [chartRepoUrl],
            destinations: environments.map((env) => ({ server: inClusterServer, namespace: namespaces[env] })),
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: chartKinds.map((k) => ({ ...k })),
        },
    };
}

/**
 * Argo CD's `default` project with nothing allowed (Argo CD's documented way to restrict it).
 * argocd-server creates `default` when it is missing; Pulumi takes its fields over.
 */
export function lockedDefaultProject(): IAppProject {
    return {
        apiVersion: argoApiVersion,
        kind: "AppProject",
        metadata: {
            name: "default",
            namespace: namespaces.argocd,
            labels,
            // argocd-server may have written the fields first; Pulumi's values win.
            annotations: { "pulumi.com/patchForce": "true" },
        },
        spec: {
            sourceRepos: [],
            sourceNamespaces: [],
            destinations: [],
            clusterResourceWhitelist: [],
            namespaceResourceBlacklist: [{ group: "*", kind: "*" }],
        },
    };
}
