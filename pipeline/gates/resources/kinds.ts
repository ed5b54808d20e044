/** The parts of Deployment, Pod and PodMetrics objects the resource gate reads. */

export interface ObjectMeta {
    name: string;
    namespace?: string;
    generation?: number;
    deletionTimestamp?: string;
}

export interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

export interface Deployment {
    metadata: ObjectMeta;
    /** The pod template's containers tell the current version's pods from the rollout's old ones. */
    spec: { replicas?: number; template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } };
    status?: {
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        readyReplicas?: number;
        availableReplicas?: number;
        conditions?: Condition[];
    };
}

export interface ContainerState {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
}

export interface ContainerStatus {
    name: string;
    ready: boolean;
    restartCount: number;
    state?: ContainerState;
    lastState?: ContainerState;
}

export interface Container {
    name: string;
    image?: string;
    resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

export interface Pod {
    metadata: ObjectMeta;
    spec: { containers: Container[] };
    status?: {
        phase?: string;
        reason?: string;
        message?: string;
        conditions?: Condition[];
        containerStatuses?: ContainerStatus[];
        initContainerStatuses?: ContainerStatus[];
    };
}

export interface PodMetrics {
    metadata: ObjectMeta;
    containers: Array<{ name: string; usage: Record<string, string> }>;
}

export interface List<T> {
    items: T[];
}
