import type { IIoK8sApiCoreV1ResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { stringify } from "yaml";
import {
    environmentMutexName,
    gateImageCommand,
    gateImageEnv,
    mlflow,
    mlflowPipelineCredentials,
    namespaces,
    registry,
    registryCredentials,
    type Environment,
} from "../../vocabulary/names";
import { argoApiVersion } from "../../vocabulary/api-versions";
import {
    type Parameter,
    type RetryStrategy,
    type Template,
    type Workflow,
    type WorkflowSpec,
    type WorkflowTemplate,
} from "./argo-types";
import { restrictedSecurityContext } from "../../infra/platform/common/security";
import { gateReportArguments, type GateCommandLine } from "../gates/contract";

/** Kubernetes object name of the service account a workflow template runs as. */
export function runnerServiceAccountName(templateName: string): string {
    return `${templateName}-runner`;
}

/** Workflow-wide settings every template carries: a deadline, pod GC and TTL. */
export function lifecycle(deadlineSeconds: number): Pick<WorkflowSpec, "activeDeadlineSeconds" | "podGC" | "ttlStrategy"> {
    return {
        activeDeadlineSeconds: deadlineSeconds,
        // Pods of failed steps stay until the workflow is deleted, so their logs can be read.
        podGC: { strategy: "OnPodSuccess" },
        ttlStrategy: {
            secondsAfterSuccess: 7 * 24 * 3600,
            secondsAfterFailure: 14 * 24 * 3600,
        },
    };
}

/** Mutexes (plural form, Argo >= 3.6) held for the whole workflow, one per environment touched. */
export function environmentLocks(envs: readonly Environment[]): Pick<WorkflowSpec, "synchronization"> {
    return { synchronization: { mutexes: envs.map((env) => ({ name: environmentMutexName(env) })) } };
}

export interface WorkflowTemplateParts {
    readonly name: string;
    readonly description: string;
    readonly entrypoint: string;
    readonly parameters: Parameter[];
    readonly templates: Template[];
    readonly deadlineSeconds: number;
    readonly locks?: readonly Environment[];
    readonly extraSpec?: Partial<WorkflowSpec>;
}

export function workflowTemplate(parts: WorkflowTemplateParts): WorkflowTemplate {
    return {
        apiVersion: argoApiVersion,
        kind: "WorkflowTemplate",
        metadata: {
            name: parts.name,
            namespace: namespaces.workflows,
            annotations: { "workflows.argoproj.io/description": parts.description },
        },
        spec: {
            entrypoint: parts.entrypoint,
            serviceAccountName: runnerServiceAccountName(parts.name),
            // The gate and training images come from the registry, which wants its login for pulls too.
            imagePullSecrets: [{ name: registryCredentials.secretName }],
            arguments: { parameters: parts.parameters },
            ...lifecycle(parts.deadlineSeconds),
            ...(parts.locks && parts.locks.length > 0 ? environmentLocks(parts.locks) : {}),
            ...parts.extraSpec,
            templates: parts.templates,
        },
    };
}

/** Retries for steps whose outcome a retry cannot change: only failures of the platform itself. */
export const retryInfrastructureErrors: RetryStrategy = {
    limit: 2,
    retryPolicy: "OnError",
    backoff: { duration: "10s", factor: 2 },
};

/** Retries for idempotent downloads, where a transient network failure is not a verdict. */
export const retryIdempotentFetch: RetryStrategy = {
    limit: 2,
    retryPolicy: "Always",
    backoff: { duration: "15s", factor: 2 },
};

export const smallStepResources: IIoK8sApiCoreV1ResourceRequirements = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

/** Where every gate step writes its report, and the output parameter that carries it. */
export const gateReportPath = "/tmp/gate-report.json";
export const gateReportParameter = "report";

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/**
 * Where MLflow is and the pipeline's own MLflow login, from the Secret the platform writes
 * into the workflows namespace. MLflow's Python client and the gate CLI read the same variables.
 */
export function mlflowEnvironment(): EnvVar[] {
    const fromSecret = (key: string) => ({ secretKeyRef: { name: mlflowPipelineCredentials.secretName, key } });
    return [
        { name: gateImageEnv.mlflowTrackingUri, value: mlflow.url },
        { name: gateImageEnv.mlflowTrackingUsername, valueFrom: fromSecret(mlflowPipelineCredentials.usernameKey) },
        { name: gateImageEnv.mlflowTrackingPassword, valueFrom: fromSecret(mlflowPipelineCredentials.passwordKey) },
    ];
}

/** The environment the gate/release CLI reads (names shared with pipeline/gates via vocabulary/names). */
export function gateEnvironment(): EnvVar[] {
    const login = (key: string) => ({ secretKeyRef: { name: registryCredentials.secretName, key } });
    return [
        ...mlflowEnvironment(),
        { name: gateImageEnv.registryUrl, value: `http://${registry.host}` },
        { name: gateImageEnv.registryUsername, valueFrom: login(registryCredentials.usernameKey) },
        { name: gateImageEnv.registryPassword, valueFrom: login(registryCredentials.passwordKey) },
        { name: gateImageEnv.argocdNamespace, value: namespaces.argocd },
    ];
}

export interface GateStepTemplateParts {
    readonly name: string;
    readonly image: string;
    /** Command and flags after the image's entrypoint (gateCommandLine); the step adds `--report`. */
    readonly args: GateCommandLine;
    readonly inputs?: string[];
    readonly deadlineSeconds: number;
    /** What the report parameter holds when the gate died before writing one. */
    readonly missingReport: string;
}

/**
 * A template that runs one command of the gate/release image. Its verdict is the exit status
 * (0 pass, anything else fail); the JSON report is read from a file into an output parameter,
 * never from stdout, which carries logs.
 */
export function gateStepTemplate(parts: GateStepTemplateParts): Template {
    return {
        name: parts.name,
        ...(parts.inputs ? { inputs: { parameters: parts.inputs.map((name) => ({ name })) } } : {}),
        activeDeadlineSeconds: parts.deadlineSeconds,
        container: {
            name: "main",
            image: parts.image,
            command: [...gateImageCommand],
            args: [...parts.args, ...gateReportArguments(gateReportPath)],
            env: gateEnvironment(),
            // Non-root (the image's numeric USER), nothing to escalate to; /tmp holds the report.
            securityContext: restrictedSecurityContext({ readOnlyRootFilesystem: false }),
            resources: smallStepResources,
        },
        outputs: {
            parameters: [
                {
                    name: gateReportParameter,
                    valueFrom: { path: gateReportPath, default: parts.missingReport },
                },
            ],
        },
    };
}

export interface SubmitWorkflowParts {
    readonly name: string;
    readonly workflowTemplate: string;
    readonly inputs: string[];
    /** Parameters of the submitted workflow, usually `{{inputs.parameters.x}}` references. */
    readonly arguments: Record<string, string>;
}

/**
 * A template that submits a new Workflow from a WorkflowTemplate and returns at once (the new
 * workflow takes its own locks; waiting here while holding one could deadlock). The name of
 * the submitted workflow is an output, so a reader can follow the chain.
 */
export function submitWorkflowTemplate(parts: SubmitWorkflowParts): Template {
    const child: Workflow = {
        apiVersion: argoApiVersion,
        kind: "Workflow",
        metadata: { generateName: `${parts.workflowTemplate}-`, namespace: namespaces.workflows },
        spec: {
            workflowTemplateRef: { name: parts.workflowTemplate },
            arguments: {
                parameters: Object.entries(parts.arguments).map(([name, value]) => ({ name, value })),
            },
        },
    };
    return {
        name: parts.name,
        inputs: { parameters: parts.inputs.map((name) => ({ name })) },
        retryStrategy: retryInfrastructureErrors,
        resource: { action: "create", manifest: stringify(child) },
        outputs: { parameters: [{ name: "workflow-name", valueFrom: { jsonPath: "{.metadata.name}" } }] },
    };
}
