import type { IResourceRequirements } from "kubernetes-models/v1";

/** CPU and memory for one container; requests must not exceed limits. */
export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

export function toResourceRequirements(resources: ContainerResources): IResourceRequirements {
    return {
        requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
        limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
    };
}

/** Sizes the platform's own containers get. Small enough for three m1.medium-class nodes. */
export const platformResources = {
    registry: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    postgres: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    minio: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    mlflow: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
    bucketJob: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    imageBuild: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
} as const satisfies Record<string, ContainerResources>;
