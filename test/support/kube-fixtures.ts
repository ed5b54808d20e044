/**
 * Kubernetes objects as the API server returns them (shapes from the apps/v1 Deployment,
 * core/v1 Pod and metrics.k8s.io/v1beta1 PodMetrics references), for one app environment.
 * Builders start healthy; each test breaks exactly the part it is about.
 */
import { releaseRecord } from "../../vocabulary/names";

type Obj = Record<string, any>;

export const ns = "gourmetgram-staging";
export const labels = { "app.kubernetes.io/name": "gourmetgram-app" };
export const selector = "app.kubernetes.io/name=gourmetgram-app";

/** The image of the version the fixtures' Deployment and pods run. */
export const currentImage = "registry.kube-system.svc.cluster.local:5000/gourmetgram-app:staging-1.0.7";

export function deployment(over: { replicas?: number; generation?: number; status?: Obj; image?: string } = {}): Obj {
    const replicas = over.replicas ?? 1;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "gourmetgram-staging", namespace: ns, labels, generation: over.generation ?? 2 },
        spec: { replicas, template: { spec: { containers: [{ name: "app", image: over.image ?? currentImage }] } } },
        status: {
            observedGeneration: over.generation ?? 2,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
                { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
                { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
            ],
            ...over.status,
        },
    };
}

export function container(over: Obj = {}): Obj {
    return {
        name: "app",
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
        ...over,
    };
}

export function pod(
    name = "gourmetgram-staging-7d9f8-abcde",
    over: { phase?: string; ready?: boolean; containers?: Obj[]; conditions?: Obj[]; limits?: Obj | null; deleting?: boolean; image?: string } = {},
): Obj {
    const ready = over.ready ?? true;
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: ns, labels, ...(over.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
        spec: {
            containers: [
                {
                    name: "app",
                    image: over.image ?? currentImage,
                    resources: over.limits === null ? {} : { limits: over.limits ?? { cpu: "500m", memory: "256Mi" }, requests: { cpu: "250m", memory: "128Mi" } },
                },
            ],
        },
        status: {
            phase: over.phase ?? "Running",
            conditions: over.conditions ?? [
                { type: "PodScheduled", status: "True" },
                { type: "Initialized", status: "True" },
                { type: "ContainersReady", status: ready ? "True" : "False" },
                { type: "Ready", status: ready ? "True" : "False" },
            ],
            containerStatuses: over.containers ?? [container({ ready })],
        },
    };
}

export function podMetrics(name = "gourmetgram-staging-7d9f8-abcde", usage: { cpu?: string; memory?: string } = {}): Obj {
    return {
        apiVersion: "metrics.k8s.io/v1beta1",
        kind: "PodMetrics",
        metadata: { name, namespace: ns, labels },
        timestamp: "2026-01-01T00:00:30Z",
        window: "15s",
        containers: [{ name: "app", usage: { cpu: usage.cpu ?? "12000000n", memory: usage.memory ?? "131072Ki" } }],
    };
}

export function application(env: string, tag: string, withParameter = true): Obj {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: `gourmetgram-${env}`, namespace: "argocd", resourceVersion: "100" },
        spec: {
            project: "default",
            source: {
                repoURL: "https://example.invalid/gourmetgram.git",
                path: "infra/apps/chart",
                targetRevision: "main",
                helm: {
                    ...(withParameter ? { parameters: [{ name: "image.tag", value: tag }] } : {}),
                    valuesObject: { environment: env, image: { repository: "registry.kube-system.svc.cluster.local:5000/gourmetgram-app", tag } },
                },
            },
            destination: { server: "https://kubernetes.default.svc", namespace: `gourmetgram-${env}` },
        },
    };
}

/** The release record ConfigMap as the Pipeline component creates it (empty), or with entries. */
export function releaseRecordConfigMap(data: Record<string, string> = {}): Obj {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: releaseRecord.configMap, namespace: releaseRecord.namespace, resourceVersion: "7" },
        data,
    };
}
