import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaces, releaseRecord } from "../vocabulary/names";
import { platformImages } from "../vocabulary/versions";
import type { ContainerResources } from "../infra/platform/common/resources";
import type { PipelineConfig } from "./config";
import { githubEventSource, githubTriggerNames, sensorRules, trainOnPushSensor } from "./events/github-trigger";
import { runnerRules } from "./rbac/policies";
import type { CronWorkflow, WorkflowTemplate } from "./templates/argo-types";
import { runnerServiceAccountName } from "./templates/common";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "./templates";
import type { PipelineSettings } from "./templates/settings";

export interface PipelineArgs {
    readonly config: PipelineConfig;
    /** Staging's app container resources (platform config): the oversized model is sized from them. */
    readonly stagingAppResources: ContainerResources;
    /** Image references of the gate/release and training images (platform ImageBuild outputs). */
    readonly images: { readonly gates: pulumi.Input<string>; readonly train: pulumi.Input<string> };
}

/** Settings for the builders; the same function the render and the tests use. */
export function pipelineSettings(
    config: PipelineConfig,
    images: { gates: string; train: string },
    stagingAppResources: ContainerResources,
): PipelineSettings {
    return {
        images: { gates: images.gates, train: images.train, kaniko: platformImages.kanikoExecutor },
        stagingAppLimits: { ...stagingAppResources.limits },
        thresholds: config.thresholds,
        appSource: config.appSource,
        deadlines: config.deadlines,
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
            .apply(([gates, train]) => pipelineSettings(args.config, { gates, train }, args.stagingAppResources));

        // Names are fixed; only image references are unknown until the builds finish.
        const placeholder = pipelineSettings(args.config, { gates: "gates", train: "train" }, args.stagingAppResources);
        this.workflowTemplateNames = pipelineWorkflowTemplates(placeholder).map((t) => t.metadata.name as string);

        // Created empty here so that runners need no `create` on ConfigMaps; mark-good fills it.
        new k8s.core.v1.ConfigMap(`${name}-release-record`, {
            metadata: { name: releaseRecord.configMap, namespace: releaseRecord.namespace },
            data: {},
        }, { ...child, ignoreChanges: ["data"] });

        const templates: k8s.apiextensions.CustomResource[] = [];
        this.workflowTemplateNames.forEach((templateName, index) => {
            const runner = this.runner(templateName);
            const built = settings.apply((s) => pipelineWorkflowTemplates(s)[index]);
            templates.push(customResource(`${name}-${templateName}`, placeholderOf(templateName, placeholder), built, { ...child, dependsOn: runner }));
        });

        pipelineCronWorkflows(placeholder, args.config.cron).forEach((cron, index) => {
            const built = settings.apply((s) => pipelineCronWorkflows(s, args.config.cron)[index]);
            customResource(`${name}-${cron.metadata.name}`, cron, built, { ...child, dependsOn: templates });
        });
        if (args.config.githubTrigger) this.githubTrigger(args.config.githubTrigger, templates);
        this.registerOutputs({ workflowTemplateNames: this.workflowTemplateNames });
    }

    /** Reference only: GitHub push → EventSource → Sensor → train-model. */
    private githubTrigger(trigger: NonNullable<PipelineConfig["githubTrigger"]>, templates: pulumi.Resource[]): void {
        const child = { parent: this };
        const n = githubTriggerNames;
        const secret = new k8s.core.v1.Secret("github-webhook-secret", {
            metadata: { name: n.webhookSecret, namespace: namespaces.argoEvents },
            stringData: { [n.webhookSecretKey]: pulumi.secret(trigger.webhookSecret) },
        }, child);
        const source = githubEventSource(trigger.repository);
        const eventSource = new k8s.apiextensions.CustomResource("github-event-source", {
            apiVersion: source.apiVersion, kind: source.kind, metadata: source.metadata, spec: source.spec,
        }, { ...child, dependsOn: [secret] });
        const account = new k8s.core.v1.ServiceAccount("train-on-push-sensor", {
            metadata: { name: n.sensorAccount, namespace: namespaces.argoEvents },
        }, child);
        const role = new k8s.rbac.v1.Role("train-on-push-sensor", {
            metadata: { name: n.sensorAccount, namespace: namespaces.workflows },
            rules: sensorRules,
        }, child);
        const binding = new k8s.rbac.v1.RoleBinding("train-on-push-sensor", {
            metadata: { name: n.sensorAccount, namespace: namespaces.workflows },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n.sensorAccount },
            subjects: [{ kind: "ServiceAccount", name: n.sensorAccount, namespace: namespaces.argoEvents }],
        }, { ...child, dependsOn: [role, account] });
        const sensor = trainOnPushSensor();
        new k8s.apiextensions.CustomResource("train-on-push-sensor", {
            apiVersion: sensor.apiVersion, kind: sensor.kind, metadata: sensor.metadata, spec: sensor.spec,
        }, { ...child, dependsOn: [eventSource, binding, ...templates] });
    }

    private runner(templateName: string): pulumi.Resource[] {
        const child = { parent: this };
        const account = runnerServiceAccountName(templateName);
        const sa = new k8s.core.v1.ServiceAccount(`${templateName}-runner`, {
            metadata: { name: account, namespace: namespaces.workflows },
        }, child);
        const created: pulumi.Resource[] = [sa];
        for (const [namespace, rules] of Object.entries(runnerRules(templateName))) {
            const role = new k8s.rbac.v1.Role(`${templateName}-runner-${namespace}`, {
                metadata: { name: account, namespace },
                rules,
            }, child);
            created.push(role, new k8s.rbac.v1.RoleBinding(`${templateName}-runner-${namespace}`, {
                metadata: { name: account, namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
                subjects: [{ kind: "ServiceAccount", name: account, namespace: namespaces.workflows }],
            }, { ...child, dependsOn: [role, sa] }));
        }
        return created;
    }
}

function placeholderOf(name: string, settings: PipelineSettings): WorkflowTemplate {
    return pipelineWorkflowTemplates(settings).find((t) => t.metadata.name === name)!;
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
