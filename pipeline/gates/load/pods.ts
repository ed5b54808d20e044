/**
 * The load gate's look at the app's pods before and after its traffic. A container that the
 * load itself OOM-killed or crashed is restarted by the kubelet within seconds, so the figures
 * alone read "connection reset / refused", or even pass when the restart was quick; comparing the
 * restart counts names what happened, and any restart during the load fails the gate.
 */
import { KubeApiError, KubeClient, selectorQuery } from "../kube/client";
import { List, Pod } from "../resources/kinds";

export interface ContainerSnapshot {
    pod: string;
    container: string;
    restarts: number;
    memoryLimit: string | null;
}

export interface PodsUnderLoad {
    namespace: string;
    selector: string;
    before: ContainerSnapshot[];
    after: ContainerSnapshot[];
    problems: string[];
}

export async function readPods(kube: KubeClient, namespace: string, selector: string): Promise<Pod[]> {
    try {
        const list = await kube.get<List<Pod>>(`/api/v1/namespaces/${namespace}/pods?${selectorQuery(selector)}`);
        return (list.items ?? []).filter((p) => !p.metadata.deletionTimestamp);
    } catch (err) {
        if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) {
            throw new Error(`${err.message} (the load gate's service account needs get/list on pods in ${namespace} to check them after the load)`, { cause: err });
        }
        throw err;
    }
}

export function snapshot(pods: readonly Pod[]): ContainerSnapshot[] {
    return pods.flatMap((p) =>
        (p.status?.containerStatuses ?? []).map((cs) => ({
            pod: p.metadata.name,
            container: cs.name,
            restarts: cs.restartCount,
            memoryLimit: p.spec.containers.find((c) => c.name === cs.name)?.resources?.limits?.memory ?? null,
        })),
    );
}

/**
 * Pure: what changed between the reads before and after the load, worst first. An OOM kill reads
 * "OOMKilled under load at concurrency 10: limit 256Mi (...)".
 */
export function podChangesUnderLoad(before: readonly Pod[], after: readonly Pod[], concurrency: number): string[] {
    const problems: string[] = [];
    const under = `under load at concurrency ${concurrency}`;
    const earlier = new Map(snapshot(before).map((s) => [`${s.pod}/${s.container}`, s]));
    if (after.length === 0) problems.push(`no pod matched after the load ${under}: the app's pods are gone`);
    for (const pod of after) {
        for (const cs of pod.status?.containerStatuses ?? []) {
            const where = `container ${cs.name} in pod ${pod.metadata.name}`;
            const limit = pod.spec.containers.find((c) => c.name === cs.name)?.resources?.limits?.memory ?? "none set";
            const was = earlier.get(`${pod.metadata.name}/${cs.name}`);
            const restarted = cs.restartCount - (was?.restarts ?? 0);
            const reasons = [cs.state?.terminated?.reason, restarted > 0 ? cs.lastState?.terminated?.reason : undefined];
            if (!was) {
                problems.push(`pod ${pod.metadata.name} started during the load ${under}: it replaced a pod that was lost`);
            } else if (reasons.includes("OOMKilled")) {
                problems.push(`OOMKilled ${under}: limit ${limit} (${where}${restarted > 0 ? ` restarted ${restarted} time(s) during the load` : " was killed"}): the model needs more memory at this concurrency than the limit allows`);
            } else if (restarted > 0) {
                const last = cs.lastState?.terminated;
                const why = last ? ` (last exit: ${last.reason ?? "unknown"}, exit code ${last.exitCode ?? "?"})` : "";
                problems.push(`${where} restarted ${restarted} time(s) ${under}${why}`);
            } else if (cs.state?.terminated) {
                problems.push(`${where} terminated ${under} (${cs.state.terminated.reason ?? "unknown"}, exit code ${cs.state.terminated.exitCode ?? "?"})`);
            }
        }
    }
    const now = new Set(after.map((p) => p.metadata.name));
    for (const pod of before) {
        if (!now.has(pod.metadata.name)) problems.push(`pod ${pod.metadata.name} disappeared during the load ${under}`);
    }
    return problems.sort((a, b) => Number(b.startsWith("OOMKilled")) - Number(a.startsWith("OOMKilled")));
}
