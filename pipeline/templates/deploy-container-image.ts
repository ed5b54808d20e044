import { stringify } from "yaml";
import {
    appApplicationName,
    appImageTag,
    appImageTagValuePath,
    environmentMutexName,
    environments,
    namespaces,
    workflowTemplates,
    type Environment,
} from "../../infra/names";
import type { Template, WorkflowTemplate } from "./argo-types";
import { retryInfrastructureErrors, workflowTemplate } from "./common";
import { param, withEnvironmentPlaceholder } from "./parameterized";
import type { PipelineSettings } from "./settings";

/** Templates inside deploy-container-image that other workflows call by templateRef. */
export const deployTemplates = {
    /** Point the Application at the tag, then wait until Argo CD reports it synced and healthy. */
    deploy: "deploy",
    /** Point the Application at the tag, then wait until Argo CD has synced it (health not awaited). */
    rollOut: "roll-out",
    setTag: "set-image-tag",
    waitHealthy: "wait-synced-and-healthy",
    waitSynced: "wait-synced",
} as const;

const applicationApiVersion = "argoproj.io/v1alpha1";
const envInput = param.input("environment");
const versionInput = param.input("version");

function applicationRef(): { apiVersion: string; kind: string; metadata: { name: string; namespace: string } } {
    return {
        apiVersion: applicationApiVersion,
        kind: "Application",
        metadata: {
            name: withEnvironmentPlaceholder(appApplicationName, envInput),
            namespace: namespaces.argocd,
        },
    };
}

function imageTagExpression(): string {
    return withEnvironmentPlaceholder((env: Environment) => appImageTag(env, versionInput), envInput);
}

/** Name of the Helm parameter that carries the tag (`image.tag`). */
export const imageTagParameter = appImageTagValuePath.join(".");

/**
 * Merge patch that sets the tag. The Application carries it as its single Helm parameter
 * (parameters win over values), so the list is written whole; the same value also goes to
 * `valuesObject` (a map merge, other values untouched) so both places agree.
 */
export function imageTagPatch(tag: string): Record<string, unknown> {
    let value: Record<string, unknown> = { [appImageTagValuePath[appImageTagValuePath.length - 1]]: tag };
    for (const key of [...appImageTagValuePath].slice(0, -1).reverse()) value = { [key]: value };
    return {
        spec: { source: { helm: { parameters: [{ name: imageTagParameter, value: tag }], valuesObject: value } } },
    };
}

/** gjson path (Argo resource conditions) to the tag Argo CD last compared the cluster against. */
export function comparedTagPath(): string {
    return "status.sync.comparedTo.source.helm.parameters.0.value";
}

const deployInputs = { parameters: [{ name: "environment" }, { name: "version" }] };

function setTagTemplate(): Template {
    return {
        name: deployTemplates.setTag,
        inputs: deployInputs,
        retryStrategy: retryInfrastructureErrors,
        resource: {
            action: "patch",
            mergeStrategy: "merge",
            manifest: stringify({ ...applicationRef(), ...imageTagPatch(imageTagExpression()) }),
        },
    };
}

function waitTemplate(name: string, healthy: boolean, deadlineSeconds: number): Template {
    const onNewTag = `${comparedTagPath()} == ${imageTagExpression()}`;
    const success = ["status.sync.status == Synced", onNewTag];
    if (healthy) success.push("status.health.status == Healthy");
    return {
        name,
        inputs: deployInputs,
        activeDeadlineSeconds: deadlineSeconds,
        resource: {
            action: "get",
            manifest: stringify(applicationRef()),
            successCondition: success.join(", "),
            // Only a verdict about the new tag counts: a Degraded status left by an earlier
            // version must not fail this deploy before Argo CD has even compared the new one.
            ...(healthy ? { failureCondition: `status.health.status == Degraded, ${onNewTag}` } : {}),
        },
    };
}

function sequence(name: string, wait: string): Template {
    const args = {
        parameters: [
            { name: "environment", value: envInput },
            { name: "version", value: versionInput },
        ],
    };
    return {
        name,
        inputs: deployInputs,
        steps: [
            [{ name: "set-image-tag", template: deployTemplates.setTag, arguments: args }],
            [{ name: "wait", template: wait, arguments: args }],
        ],
    };
}

/** Templates the deploy workflow consists of; other workflows reference them by templateRef. */
export function deployTemplateSet(settings: PipelineSettings): Template[] {
    const deadline = settings.deadlines.deploySeconds;
    return [
        sequence(deployTemplates.deploy, deployTemplates.waitHealthy),
        sequence(deployTemplates.rollOut, deployTemplates.waitSynced),
        setTagTemplate(),
        waitTemplate(deployTemplates.waitHealthy, true, deadline),
        waitTemplate(deployTemplates.waitSynced, false, deadline),
    ];
}

/**
 * deploy-container-image: point an environment's Argo CD Application at `<env>-1.0.<version>`
 * and wait until it is synced and healthy. Kubernetes RBAC on the Application object is the
 * only credential: no Argo CD login, no admin password.
 */
export function deployContainerImage(settings: PipelineSettings): WorkflowTemplate {
    const template = workflowTemplate({
        name: workflowTemplates.deployContainerImage,
        description: "Point an environment at <env>-1.0.<version> and wait until Argo CD reports it synced and healthy.",
        entrypoint: "main",
        parameters: [
            { name: "environment", enum: [...environments], description: "staging, canary or production" },
            { name: "version", description: "MLflow model version whose image to run" },
        ],
        templates: [
            {
                name: "main",
                steps: [
                    [
                        {
                            name: "deploy",
                            template: deployTemplates.deploy,
                            arguments: {
                                parameters: [
                                    { name: "environment", value: param.workflow("environment") },
                                    { name: "version", value: param.workflow("version") },
                                ],
                            },
                        },
                    ],
                ],
            },
            ...deployTemplateSet(settings),
        ],
        deadlineSeconds: settings.deadlines.deploySeconds + 120,
    });
    template.spec.synchronization = {
        mutexes: [{ name: withEnvironmentPlaceholder(environmentMutexName, param.workflow("environment")) }],
    };
    return template;
}
