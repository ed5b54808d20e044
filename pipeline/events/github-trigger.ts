import { stringify } from "yaml";
import { namespaces, workflowTemplates } from "../../vocabulary/names";
import { argoApiVersion } from "../../vocabulary/api-versions";
import type { Workflow } from "../templates/argo-types";

/**
 * GitHub push → Argo Events → train-model, as plain typed objects. Reference material for
 * students (deployed only when `githubTrigger` is on). No models package exists for Argo
 * Events, so the few fields used are typed here after the v1.9 CRDs.
 */
export const githubTriggerNames = {
    eventSource: "github",
    eventName: "gourmetgram-push",
    sensor: "train-on-push",
    webhookSecret: "github-webhook",
    webhookSecretKey: "secret",
    sensorAccount: "train-on-push-sensor",
    port: 12000,
    endpoint: "/push",
} as const;

export interface EventSource {
    apiVersion: typeof argoApiVersion;
    kind: "EventSource";
    metadata: { name: string; namespace: string };
    spec: {
        service: { ports: { port: number; targetPort: number }[] };
        github: Record<string, {
            repositories: { owner: string; names: string[] }[];
            webhook: { endpoint: string; port: string; method: "POST" };
            events: string[];
            webhookSecret: { name: string; key: string };
            contentType: "json";
            active: boolean;
        }>;
    };
}

export interface Sensor {
    apiVersion: typeof argoApiVersion;
    kind: "Sensor";
    metadata: { name: string; namespace: string };
    spec: {
        template: { serviceAccountName: string };
        dependencies: {
            name: string;
            eventSourceName: string;
            eventName: string;
            filters: { data: { path: string; type: "string"; value: string[] }[] };
        }[];
        triggers: {
            template: {
                name: string;
                k8s: { operation: "create"; source: { resource: Workflow } };
            };
        }[];
    };
}

export function githubEventSource(repository: string): EventSource {
    const [owner, name] = repository.split("/");
    const n = githubTriggerNames;
    return {
        apiVersion: argoApiVersion,
        kind: "EventSource",
        metadata: { name: n.eventSource, namespace: namespaces.argoEvents },
        spec: {
            service: { ports: [{ port: n.port, targetPort: n.port }] },
            github: {
                [n.eventName]: {
                    repositories: [{ owner, names: [name] }],
                    // Receive only: the hook is added in GitHub by hand, so no GitHub token is stored.
                    webhook: { endpoint: n.endpoint, port: String(n.port), method: "POST" },
                    events: ["push"],
                    webhookSecret: { name: n.webhookSecret, key: n.webhookSecretKey },
                    contentType: "json",
                    active: true,
                },
            },
        },
    };
}

export function trainOnPushSensor(branch = "main"): Sensor {
    const n = githubTriggerNames;
    const workflow: Workflow = {
        apiVersion: argoApiVersion,
        kind: "Workflow",
        metadata: { generateName: `${workflowTemplates.trainModel}-push-`, namespace: namespaces.workflows },
        spec: {
            workflowTemplateRef: { name: workflowTemplates.trainModel },
            arguments: { parameters: [{ name: "scenario", value: "normal" }] },
        },
    };
    return {
        apiVersion: argoApiVersion,
        kind: "Sensor",
        metadata: { name: n.sensor, namespace: namespaces.argoEvents },
        spec: {
            template: { serviceAccountName: n.sensorAccount },
            dependencies: [
                {
                    name: "push",
                    eventSourceName: n.eventSource,
                    eventName: n.eventName,
                    filters: { data: [{ path: "body.ref", type: "string", value: [`refs/heads/${branch}`] }] },
                },
            ],
            triggers: [{ template: { name: "train-model", k8s: { operation: "create", source: { resource: workflow } } } }],
        },
    };
}

/** The Sensor may create Workflows in argo, nothing else. */
export const sensorRules = [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create"] }];

/** For review output: the Workflow the Sensor creates, as YAML. */
export function sensorWorkflowYaml(sensor: Sensor): string {
    return stringify(sensor.spec.triggers[0].template.k8s.source.resource);
}
