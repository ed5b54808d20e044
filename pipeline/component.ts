import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaces, registry, releaseRecord } from "../vocabulary/names";
import { platformImages } from "../vocabulary/versions";
import type { ContainerResources } from "../infra/platform/common/resources";
import { pulumiArgs } from "../infra/platform/common/to-pulumi";
import { type NodeSecurityProfiles, withoutNodeAppArmor } from "../infra/k3s/apparmor-profiles";
import { buildkitdConfigMap } from "../infra/platform/image-build/builder";
import type { PipelineConfig } from "./config";
import { githubEventSource, githubTriggerNames, sensorRules, trainOnPushSensor } from "./events/github-trigger";
import { runnerRules } from "./rbac/policies";
import type { CronWorkflow, WorkflowTemplate } from "./templates/argo-types";
import { runnerServiceAccountName } from "./templates/common";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "./templates";
import type { PipelineImages, PipelineSettings } from "./templates/settings";

/** The images this repository builds for the pipeline's steps (PipelineImageBuilds' outputs). */
export type BuiltImages = Pick<PipelineImages, "gates" | "train">;

export interface PipelineArgs {
    readonly config: PipelineConfig;
    /** Staging's app container resources (platform config): the oversized model is sized from them. */
    readonly stagingAppResources: ContainerResources;
    /** Image references of the gate/release and training images, known once their builds finish. */
    readonly images: { readonly [image in keyof BuiltImages]: pulumi.Input<string> };
    /** What the cluster's nodes hold of the lab's security profiles (the cluster's `nodeProfiles`); none when omitted. */
    readonly nodeProfiles?: NodeSecurityProfiles;
}

/** Settings for the builders; the same function the render and the tests use. */
export function pipelineSettings(
    config: PipelineConfig,
    images: BuiltImages,
    stagingAppResources: ContainerResources,
    nodeProfiles: NodeSecurityProfiles = withoutNodeAppArmor,
): PipelineSettings {
    return {
        images: { gates: images.gates, train: images.train, imageBuilder: platformImages.buildkit },
        stagingAppLimits: { ...stagingAppResources.limits },
        thresholds: config.thresholds,
        appCodeSource: config.appCodeSource,
        deadlines: config.deadlines,
        nodeProfiles,
    };
}

/**
 * The pipeline layer: every WorkflowTemplate and the training CronWorkflow in the workflows
 * namespace, each template running as its own service account with only the permissions its
 * steps use.
 */
export class Pipeline extends pulumi.ComponentResource {
    readonly workflowTemplateNames: string[];

    constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:pipeline:Pipeline", name, {}, opts);
        const child = { parent: this };
        const settings = pulumi
            .all([args.images.gates, args.images.train])
            .apply(([gates, train]) => pipelineSettings(args.config, { gates, train }, args.stagingAppResources, args.nodeProfiles));
        const built = settings.apply((s) => ({ templates: pipelineWorkflowTemplates(s), crons: pipelineCronWorkflows(s, args.config.cron) }));

        // Names and kinds are fixed; only image references are unknown until the builds finish.
        const placeholder = pipelineSettings(args.config, { gates: "gates", train: "train" }, args.stagingAppResources, args.nodeProfiles);
        const shapes = { templates: pipelineWorkflowTemplates(placeholder), crons: pipelineCronWorkflows(placeholder, args.config.cron) };
        this.workflowTemplateNames = shapes.templates.map((t) => t.metadata.name as string);

        // Created empty here so that runners need no `create` on ConfigMaps; mark-good fills it.
        new k8s.core.v1.ConfigMap(`${name}-release-record`, {
            metadata: { name: releaseRecord.configMap, namespace: releaseRecord.namespace },
            data: {},
        }, { ...child, ignoreChanges: ["data"] });

        // What the build steps' buildkitd reads (infra/platform/image-build/builder.ts).
        const builderConfig = new k8s.core.v1.ConfigMap(`${name}-buildkitd-config`, pulumiArgs(buildkitdConfigMap(namespaces.workflows, registry.host)), child);

        const templates = shapes.templates.map((shape, index) =>
            customResource(`${name}-${shape.metadata.name}`, shape, built.apply((b) => b.templates[index]), {
                ...child,
                dependsOn: [...this.runner(name, shape.metadata.name as string), builderConfig],
            }),
        );
        shapes.crons.forEach((shape, index) => {
            customResource(`${name}-${shape.metadata.name}`, shape, built.apply((b) => b.crons[index]), { ...child, dependsOn: templates });
        });
        if (args.config.githubTrigger) this.githubTrigger(name, args.config.githubTrigger, templates);
        this.registerOutputs({ workflowTemplateNames: this.workflowTemplateNames });
    }

    /** Reference only: GitHub push → EventSource → Sensor → train-model. */
    private githubTrigger(name: string, trigger: NonNullable<PipelineConfig["githubTrigger"]>, templates: pulumi.Resource[]): void {
        const n = githubTriggerNames;
        const sensorChild = renamedChild(this, name, "train-on-push-sensor");
        const secret = new k8s.core.v1.Secret(`${name}-github-webhook-secret`, {
            metadata: { name: n.webhookSecret, namespace: namespaces.argoEvents },
            stringData: { [n.webhookSecretKey]: pulumi.secret(trigger.webhookSecret) },
        }, renamedChild(this, name, "github-webhook-secret").opts);
        const source = githubEventSource(trigger.repository);
        const eventSource = new k8s.apiextensions.CustomResource(`${name}-github-event-source`, {
            apiVersion: source.apiVersion, kind: source.kind, metadata: source.metadata, spec: source.spec,
        }, { ...renamedChild(this, name, "github-event-source").opts, dependsOn: [secret] });
        const account = new k8s.core.v1.ServiceAccount(sensorChild.name, {
            metadata: { name: n.sensorAccount, namespace: namespaces.argoEvents },
        }, sensorChild.opts);
        const role = new k8s.rbac.v1.Role(sensorChild.name, {
            metadata: { name: n.sensorAccount, namespace: namespaces.workflows },
            rules: sensorRules,
        }, sensorChild.opts);
        const binding = new k8s.rbac.v1.RoleBinding(sensorChild.name, {
            metadata: { name: n.sensorAccount, namespace: namespaces.workflows },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n.sensorAccount },
            subjects: [{ kind: "ServiceAccount", name: n.sensorAccount, namespace: namespaces.argoEvents }],
        }, { ...sensorChild.opts, dependsOn: [role, account] });
        const sensor = trainOnPushSensor();
        new k8s.apiextensions.CustomResource(sensorChild.name, {
            apiVersion: sensor.apiVersion, kind: sensor.kind, metadata: sensor.metadata, spec: sensor.spec,
        }, { ...sensorChild.opts, dependsOn: [eventSource, binding, ...templates] });
    }

    private runner(name: string, templateName: string): pulumi.Resource[] {
        const account = runnerServiceAccountName(templateName);
        const accountChild = renamedChild(this, name, `${templateName}-runner`);
        const sa = new k8s.core.v1.ServiceAccount(accountChild.name, {
            metadata: { name: account, namespace: namespaces.workflows },
        }, accountChild.opts);
        const created: pulumi.Resource[] = [sa];
        for (const [namespace, rules] of Object.entries(runnerRules(templateName))) {
            const rbacChild = renamedChild(this, name, `${templateName}-runner-${namespace}`);
            const role = new k8s.rbac.v1.Role(rbacChild.name, {
                metadata: { name: account, namespace },
                rules,
            }, rbacChild.opts);
            created.push(role, new k8s.rbac.v1.RoleBinding(rbacChild.name, {
                metadata: { name: account, namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
                subjects: [{ kind: "ServiceAccount", name: account, namespace: namespaces.workflows }],
            }, { ...rbacChild.opts, dependsOn: [role, sa] }));
        }
        return created;
    }
}

/**
 * A child named from the component (`<name>-<suffix>`) that was once registered as plain
 * `<suffix>`: the alias keeps its URN, so an existing stack renames it instead of replacing it.
 */
function renamedChild(parent: Pipeline, name: string, suffix: string): { name: string; opts: pulumi.CustomResourceOptions } {
    return { name: `${name}-${suffix}`, opts: { parent, aliases: [{ name: suffix }] } };
}

function customResource(
    name: string,
    shape: WorkflowTemplate | CronWorkflow,
    built: pulumi.Output<WorkflowTemplate | CronWorkflow>,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(name, {
        apiVersion: shape.apiVersion,
        kind: shape.kind,
        metadata: shape.metadata,
        // Plain JSON: the same document the API server will store.
        spec: built.apply((object) => JSON.parse(JSON.stringify(object.spec))),
    }, opts);
}
