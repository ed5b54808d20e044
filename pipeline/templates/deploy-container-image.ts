import { stringify } from "yaml";
import {
    appApplicationName,
    appImageTag,
    environmentMutexName,
    environments,
    namespaces,
    workflowTemplates,
    type Environment,
} from "../../vocabulary/names";
import { argoApiVersion } from "../../vocabulary/api-versions";
import { gateCommandLine } from "../gates/contract";
import type { Template, WorkflowTemplate } from "./argo-types";
import { gateStepTemplate, retryInfrastructureErrors, workflowTemplate } from "./common";
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

const envInput = param.input("environment");
const versionInput = param.input("version");

function applicationRef(): { apiVersion: string; kind: string; metadata: { name: string; namespace: string } } {
    return {
        apiVersion: argoApiVersion,
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

/** gjson path (Argo resource conditions) to the tag Argo CD last compared the cluster against. */
export function comparedTagPath(): string {
    return "status.sync.comparedTo.source.helm.parameters.0.value";
}

const deployInputs = { parameters: [{ name: "environment" }, { name: "version" }] };

/**
 * Writes the tag through the gate CLI (release/setImageTag.ts), not a resource patch built by
 * text substitution: the version is checked as a number there, so a parameter value cannot
 * add fields to the Application, and promote and revert change the tag the same way.
 */
function setTagTemplate(settings: PipelineSettings): Template {
    return {
        ...gateStepTemplate({
            name: deployTemplates.setTag,
            image: settings.images.gates,
            inputs: ["environment", "version"],
            args: gateCommandLine("set-image-tag", { env: envInput, version: versionInput }),
            deadlineSeconds: settings.deadlines.releaseSeconds,
            missingReport: '{"verdict":"fail","reason":"set-image-tag exited before writing its report"}',
        }),
        retryStrategy: retryInfrastructureErrors,
    };
}

function waitTemplate(name: string, healthy: boolean, deadlineSeconds: number): Template {
    const success = ["status.sync.status == Synced", `${comparedTagPath()} == ${imageTagExpression()}`];
    if (healthy) success.push("status.health.status == Healthy");
    return {
        name,
        inputs: deployInputs,
        activeDeadlineSeconds: deadlineSeconds,
        resource: {
            action: "get",
            manifest: stringify(applicationRef()),
            // Success needs every requirement. No failureCondition: Argo (v3.7 executor,
            // matchConditions) fails the step when ANY one of its requirements matches, so it
            // cannot say "Degraded for the new tag": the tag part alone failed the first real
            // promotion to canary, and Degraded alone would fail on the previous version's
            // health, which Argo CD reports until it has applied the new tag. A new version
            // that never becomes Healthy fails at the step's deadline.
            successCondition: success.join(", "),
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
        setTagTemplate(settings),
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
