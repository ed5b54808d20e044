import {
    appApplicationName,
    appImageTag,
    appName,
    appProjectName,
    environmentPorts,
    Environment,
    namespaces,
    PROJECT,
    registry,
    registryCredentials,
} from "../../vocabulary/names";
import { appImageTagParameter } from "../../vocabulary/app-image-tag-fields";
import type { GitSource } from "../../vocabulary/git-source";
import { type IApplication, type INamespace, manifest } from "../platform/common/manifest";
import type { ContainerResources } from "../platform/common/resources";
import { namespaceManifest } from "../platform/common/namespace";
import { inClusterServer } from "./project";

/** The chart's place in this repository. */
export const appChartPath = "infra/apps/chart";

/** The tag an environment starts with, before the pipeline has deployed anything to it. */
export const initialModelVersion = 0;

export interface AppEnvironmentArgs {
    environment: Environment;
    /** The repository holding the chart (infra/apps/chart). */
    chartSource: GitSource;
    resources: ContainerResources;
}

export function environmentNamespace(env: Environment): INamespace {
    return namespaceManifest(namespaces[env], { "gourmetgram.io/environment": env });
}

/** The Argo CD Application that keeps one environment in sync with the chart. */
export function appApplication(args: AppEnvironmentArgs): IApplication {
    const env = args.environment;
    return manifest.Application({
        metadata: {
            name: appApplicationName(env),
            namespace: namespaces.argocd,
            labels: { "app.kubernetes.io/part-of": PROJECT, "gourmetgram.io/environment": env },
        },
        spec: {
            project: appProjectName,
            source: {
                repoURL: args.chartSource.repoUrl,
                targetRevision: args.chartSource.revision,
                path: appChartPath,
                helm: {
                    releaseName: appApplicationName(env),
                    parameters: [{ name: appImageTagParameter, value: appImageTag(env, initialModelVersion) }],
                    valuesObject: {
                        environment: env,
                        image: { repository: `${registry.host}/${appName}` },
                        // The registry wants its login for pulls too; AppEnvironments writes the Secret.
                        imagePullSecrets: [{ name: registryCredentials.secretName }],
                        publicPort: environmentPorts[env],
                        resources: {
                            limits: { ...args.resources.limits },
                            requests: { ...args.resources.requests },
                        },
                    },
                },
            },
            destination: { server: inClusterServer, namespace: namespaces[env] },
            syncPolicy: {
                automated: { prune: true, selfHeal: true },
                retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
            },
        },
    });
}
