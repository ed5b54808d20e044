/**
 * Resources for the policy tests: every pod-bearing kind built around one container, as the
 * program would pass them to Pulumi (typed @pulumi/kubernetes args, or typed Argo objects for
 * the CustomResources).
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application" with { "resolution-mode": "import" };
import type { IClusterWorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/ClusterWorkflowTemplate" with { "resolution-mode": "import" };
import type { ICronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow" with { "resolution-mode": "import" };
import type { IWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow" with { "resolution-mode": "import" };
import type { IWorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate" with { "resolution-mode": "import" };
import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1Template as ITemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template" with { "resolution-mode": "import" };
import type { IComGithubArgoprojArgoWorkflowsV4PkgApisWorkflowV1alpha1WorkflowSpec as IWorkflowSpec } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowSpec" with { "resolution-mode": "import" };
import type { ResourceValidationArgs } from "@pulumi/policy";
import * as k8s from "@pulumi/kubernetes";
import { ArgsOptions, createCustomResourceValidationArgs, createResourceValidationArgs } from "./util";

export const pinnedImage = "python:3.12.8-slim";

/**
 * The container fields the rules read, typed so one value fits both a Pulumi Kubernetes workload and
 * an Argo template (whose container types come from @kubernetes-models).
 */
export interface IContainer {
    name: string;
    image?: string;
    command?: string[];
    args?: string[];
    env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** A container that every mandatory rule accepts outside the app environments. */
export function goodContainer(overrides: Partial<IContainer> = {}): IContainer {
    return {
        name: "main",
        image: pinnedImage,
        command: ["python", "-c", "print('ok')"],
        resources: {
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "1", memory: "1Gi" },
        },
        ...overrides,
    };
}

export type { ITemplate };

/** A companion container small enough for every ceiling, so only the container under test can fail. */
export const tinyContainer: IContainer = {
    name: "companion",
    image: pinnedImage,
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "50m", memory: "32Mi" } },
};

export function withResources(resources: IContainer["resources"]): IContainer {
    return goodContainer({ resources });
}

const labels = { app: "test" };
const meta = (namespace?: string) => ({ name: "test", namespace, labels });

export type PodBearingBuilder = (container: IContainer, options?: ArgsOptions & { namespace?: string }) => ResourceValidationArgs;

/** Kubernetes workload kinds: the container goes wherever the kind keeps its PodSpec. */
export const kubernetesWorkloads: Record<string, PodBearingBuilder> = {
    Pod: (c, o = {}) => createResourceValidationArgs(k8s.core.v1.Pod, { metadata: meta(o.namespace), spec: { containers: [c] } }, o),
    Deployment: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.apps.v1.Deployment,
            { metadata: meta(o.namespace), spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [c] } } } },
            o,
        ),
    StatefulSet: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.apps.v1.StatefulSet,
            {
                metadata: meta(o.namespace),
                spec: { serviceName: "test", selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [c] } } },
            },
            o,
        ),
    DaemonSet: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.apps.v1.DaemonSet,
            { metadata: meta(o.namespace), spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [c] } } } },
            o,
        ),
    ReplicaSet: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.apps.v1.ReplicaSet,
            { metadata: meta(o.namespace), spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [c] } } } },
            o,
        ),
    Job: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.batch.v1.Job,
            { metadata: meta(o.namespace), spec: { template: { spec: { restartPolicy: "Never", containers: [c] } } } },
            o,
        ),
    CronJob: (c, o = {}) =>
        createResourceValidationArgs(
            k8s.batch.v1.CronJob,
            {
                metadata: meta(o.namespace),
                spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [c] } } } } },
            },
            o,
        ),
    "Pod initContainer": (c, o = {}) =>
        createResourceValidationArgs(
            k8s.core.v1.Pod,
            { metadata: meta(o.namespace), spec: { initContainers: [c], containers: [tinyContainer] } },
            o,
        ),
};

/** The places an Argo template can hold a container. */
export const argoTemplateVariants: Record<string, (c: IContainer) => ITemplate> = {
    container: (c) => ({ name: "step", container: c }),
    script: (c) => ({ name: "step", script: { ...c, source: "print('ok')" } }),
    containerSet: (c) => ({ name: "step", containerSet: { containers: [{ ...c, name: "main" }] } }),
    initContainers: (c) => ({ name: "step", container: tinyContainer, initContainers: [c] }),
    sidecars: (c) => ({ name: "step", container: tinyContainer, sidecars: [c] }),
};

/** Argo workflow kinds around a list of templates. */
export const argoWorkflows: Record<string, (templates: ITemplate[], options?: ArgsOptions & { namespace?: string; arguments?: IWorkflowSpec["arguments"] }) => ResourceValidationArgs> = {
    Workflow: (templates, o = {}) => {
        const workflow: IWorkflow = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Workflow",
            metadata: { generateName: "test-", namespace: o.namespace ?? "argo" },
            spec: { entrypoint: templates[0]?.name, templates, arguments: o.arguments },
        };
        return createCustomResourceValidationArgs({ ...workflow }, o);
    },
    WorkflowTemplate: (templates, o = {}) => {
        const template: IWorkflowTemplate = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "WorkflowTemplate",
            metadata: { name: "test", namespace: o.namespace ?? "argo" },
            spec: { entrypoint: templates[0]?.name, templates, arguments: o.arguments },
        };
        return createCustomResourceValidationArgs({ ...template }, o);
    },
    ClusterWorkflowTemplate: (templates, o = {}) => {
        const template: IClusterWorkflowTemplate = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "ClusterWorkflowTemplate",
            metadata: { name: "test" },
            spec: { entrypoint: templates[0]?.name, templates, arguments: o.arguments },
        };
        return createCustomResourceValidationArgs({ ...template }, o);
    },
    CronWorkflow: (templates, o = {}) => {
        const cron: ICronWorkflow = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "CronWorkflow",
            metadata: { name: "test", namespace: o.namespace ?? "argo" },
            spec: {
                schedules: ["0 3 * * *"],
                workflowSpec: { entrypoint: templates[0]?.name, templates, arguments: o.arguments },
            },
        };
        return createCustomResourceValidationArgs({ ...cron }, o);
    },
};

/** Every pod-bearing kind with the container in its main place (Argo kinds: a container template). */
export const allPodBearing: Record<string, PodBearingBuilder> = {
    ...kubernetesWorkloads,
    ...Object.fromEntries(
        Object.entries(argoWorkflows).map(([kind, build]) => [
            kind,
            ((c, o) => build([{ name: "step", container: c }], o)) as PodBearingBuilder,
        ]),
    ),
};

/** An Argo CD Application deploying an app environment through helm values. */
export function appApplication(
    namespace: string,
    helm: NonNullable<NonNullable<IApplication["spec"]["source"]>["helm"]>,
    options: ArgsOptions = {},
): ResourceValidationArgs {
    const application: IApplication = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "gourmetgram-staging", namespace: "argocd" },
        spec: {
            project: "default",
            destination: { server: "https://kubernetes.default.svc", namespace },
            source: { repoURL: "https://example.com/charts.git", path: "charts/gourmetgram-app", targetRevision: "main", helm },
        },
    };
    return createCustomResourceValidationArgs({ ...application }, options);
}
