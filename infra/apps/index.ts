import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appServiceUrl, Environment, environments, namespaces } from "../../vocabulary/names";
import type { ContainerResources } from "../platform/common/resources";
import { pulumiArgs } from "../platform/common/to-pulumi";
import type { RegistryLogin } from "../platform/registry/login";
import { registryLoginSecret } from "../platform/registry/login-secret";
import { pipelineOwnedApplicationPropertyPaths } from "../../vocabulary/app-image-tag-fields";
import type { GitSource } from "../../vocabulary/git-source";
import { appApplication, environmentNamespace } from "./application";
import { appProject, lockedDefaultProject } from "./project";
import { publicIngressRoute, publicTraefikService, traefikHelmChartConfig, type PublicRouteArgs } from "./public-route";

export interface AppEnvironmentsArgs {
    /** The repository holding the chart the Applications deploy. */
    chartSource: GitSource;
    /** Requests and limits of the app container per environment. */
    resources: Record<Environment, ContainerResources>;
    /** Production's public address through K3s's Traefik with canary's share (infra/apps/public-route). */
    publicRoute?: PublicRouteArgs;
    /** The in-cluster registry's login: each environment's kubelet pulls the app image with it. */
    registryLogin: pulumi.Input<RegistryLogin>;
}

/**
 * gourmetgram-staging, -canary and -production: a namespace, the registry's login Secret and an
 * Argo CD Application each, all three in the lab's AppProject (infra/apps/project.ts).
 * Argo CD must be installed first (pass it in dependsOn) because Application is its CRD.
 */
export class AppEnvironments extends pulumi.ComponentResource {
    /** In-cluster URL of each environment's app. */
    readonly serviceUrls: Record<Environment, string>;

    constructor(name: string, args: AppEnvironmentsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:apps:AppEnvironments", name, {}, opts);
        // The project exists before any Application names it; `default` is closed in the same step.
        const projects = [
            new k8s.apiextensions.CustomResource(`${name}-project`, pulumiArgs(appProject(args.chartSource.repoUrl)), { parent: this }),
            // Deleting `default` would only make argocd-server create it again, allowing everything.
            new k8s.apiextensions.CustomResource(`${name}-default-project`, pulumiArgs(lockedDefaultProject()), { parent: this, retainOnDelete: true }),
        ];
        const created: k8s.core.v1.Namespace[] = [];
        for (const env of environments) {
            const namespace = new k8s.core.v1.Namespace(`${name}-${env}`, pulumiArgs(environmentNamespace(env)), { parent: this });
            created.push(namespace);
            const pullSecret = registryLoginSecret(`${name}-${env}-registry-login`, namespaces[env], args.registryLogin, { parent: this, dependsOn: [namespace] });
            const application = appApplication({ environment: env, chartSource: args.chartSource, resources: args.resources[env] });
            new k8s.apiextensions.CustomResource(`${name}-${env}-application`, pulumiArgs(application), {
                parent: this,
                dependsOn: [namespace, pullSecret, ...projects],
                // The pipeline moves image.tag on every deploy, promotion and revert; `pulumi up`
                // must leave the tag the pipeline chose in place instead of resetting it.
                ignoreChanges: pipelineOwnedApplicationPropertyPaths(),
            });
        }
        if (args.publicRoute) {
            const traefikValues = new k8s.apiextensions.CustomResource(`${name}-traefik-config`, pulumiArgs(traefikHelmChartConfig()), { parent: this });
            const route = new k8s.apiextensions.CustomResource(`${name}-public-service`, pulumiArgs(publicTraefikService(args.publicRoute)), {
                parent: this,
                dependsOn: [...created, traefikValues],
            });
            new k8s.apiextensions.CustomResource(`${name}-public-route`, pulumiArgs(publicIngressRoute()), { parent: this, dependsOn: [route] });
        }
        this.serviceUrls = { staging: appServiceUrl("staging"), canary: appServiceUrl("canary"), production: appServiceUrl("production") };
        this.registerOutputs({ serviceUrls: this.serviceUrls });
    }
}
