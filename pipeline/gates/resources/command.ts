/**
 * `gate resources`: reads the Deployment(s), pods and pod metrics matching a selector from
 * the Kubernetes API and judges them (see evaluate.ts), polling while the rollout settles.
 * Metrics that never become available fail the gate: usage that cannot be measured is not
 * usage within limits.
 */
import { dnsLabel, UsageError } from "../args";
import { resourcesFlags } from "../contract";
import { parseFlags } from "../flags";
import { KubeApiError, KubeClient, selectorQuery } from "../kube/client";
import { resolveKubeTarget, KubeConfigError } from "../kube/config";
import { fail, GateResult, pass } from "../report";
import { ContainerUsage, evaluateResources, MetricsInput, Thresholds } from "./evaluate";
import { Deployment, List, Pod, PodMetrics } from "./kinds";
import { TransportError, ServerError } from "../http";

export interface ResourcesOptions extends Thresholds {
    namespace: string;
    selector: string;
    waitS: number;
    pollMs: number;
}

export function parseResourcesArgs(argv: readonly string[]): ResourcesOptions {
    const flags = parseFlags(resourcesFlags, argv);
    return {
        namespace: dnsLabel("namespace", flags.namespace),
        selector: flags.selector,
        maxMemoryRatio: flags.maxMemoryRatio,
        maxCpuRatio: flags.maxCpuRatio,
        waitS: flags.waitS,
        pollMs: flags.pollMs,
    };
}

export interface ResourcesMetrics {
    namespace: string;
    selector: string;
    deployments: Array<{ name: string; replicas: number; updated: number; available: number; generation: number; observedGeneration: number }>;
    pods: Array<{ name: string; phase: string; ready: boolean; restarts: number }>;
    metricsAvailable: boolean;
    metricsNote: string | null;
    usage: ContainerUsage[];
    thresholds: Thresholds;
    polls: number;
    waitedS: number;
    problems: string[];
}

async function readMetrics(kube: KubeClient, ns: string, query: string): Promise<MetricsInput> {
    try {
        const list = await kube.get<List<PodMetrics>>(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?${query}`);
        return { available: true, pods: list.items ?? [] };
    } catch (err) {
        if (err instanceof KubeApiError) {
            if (err.status === 401 || err.status === 403) throw err;
            return { available: false, reason: `metrics.k8s.io answered HTTP ${err.status}` };
        }
        if (err instanceof ServerError) return { available: false, reason: `metrics.k8s.io answered HTTP ${err.status}` };
        if (err instanceof TransportError) return { available: false, reason: err.message };
        throw err;
    }
}

function snapshot(o: ResourcesOptions, deployments: Deployment[], pods: Pod[], metrics: MetricsInput): Omit<ResourcesMetrics, "usage" | "polls" | "waitedS" | "problems"> {
    return {
        namespace: o.namespace,
        selector: o.selector,
        deployments: deployments.map((d) => ({
            name: d.metadata.name,
            replicas: d.spec.replicas ?? 1,
            updated: d.status?.updatedReplicas ?? 0,
            available: d.status?.availableReplicas ?? 0,
            generation: d.metadata.generation ?? 0,
            observedGeneration: d.status?.observedGeneration ?? 0,
        })),
        pods: pods.map((p) => ({
            name: p.metadata.name,
            phase: p.status?.phase ?? "Unknown",
            ready: p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True",
            restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0),
        })),
        metricsAvailable: metrics.available,
        metricsNote: metrics.available ? null : metrics.reason,
        thresholds: { maxMemoryRatio: o.maxMemoryRatio, maxCpuRatio: o.maxCpuRatio },
    };
}

export async function runResources(o: ResourcesOptions, kube: KubeClient): Promise<GateResult<ResourcesMetrics>> {
    const started = performance.now();
    const deadline = started + o.waitS * 1000;
    const query = selectorQuery(o.selector);
    const base = `/namespaces/${o.namespace}`;
    for (let polls = 1; ; polls++) {
        let metrics: ResourcesMetrics;
        let state: "pass" | "fail" | "wait";
        try {
            const [deployments, pods, usageInput] = await Promise.all([
                kube.get<List<Deployment>>(`/apis/apps/v1${base}/deployments?${query}`),
                kube.get<List<Pod>>(`/api/v1${base}/pods?${query}`),
                readMetrics(kube, o.namespace, query),
            ]);
            const ev = evaluateResources({ deployments: deployments.items, pods: pods.items, metrics: usageInput }, o);
            metrics = {
                ...snapshot(o, deployments.items, pods.items, usageInput),
                usage: ev.usage,
                polls,
                waitedS: Math.round(performance.now() - started) / 1000,
                problems: ev.problems,
            };
            state = ev.state;
        } catch (err) {
            if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) {
                throw new Error(`${err.message} (the gate's service account needs get/list on deployments, pods and pods.metrics.k8s.io in ${o.namespace})`, { cause: err });
            }
            throw err;
        }
        if (state === "pass") {
            const worst = Math.max(0, ...metrics.usage.map((u) => u.memoryRatio ?? 0));
            return pass(`rollout complete, ${metrics.pods.length} pod(s) Running and Ready, no restarts, peak memory ${Math.round(worst * 1000) / 10}% of limit`, metrics);
        }
        if (state === "fail") return fail(metrics.problems[0], metrics);
        if (performance.now() + o.pollMs > deadline) {
            return fail(`not settled after ${metrics.waitedS} s: ${metrics.problems.join("; ")}`, metrics);
        }
        await new Promise((r) => setTimeout(r, o.pollMs));
    }
}

export function formatResourcesSummary(r: GateResult<ResourcesMetrics>): string {
    const m = r.metrics;
    const lines = [`resources: namespace ${m.namespace}, selector ${m.selector} (${m.polls} polls, ${m.waitedS} s)`];
    for (const d of m.deployments) lines.push(`  deployment ${d.name}: ${d.updated}/${d.replicas} updated, ${d.available} available`);
    for (const p of m.pods) lines.push(`  pod ${p.name}: ${p.phase}${p.ready ? ", Ready" : ", not Ready"}, ${p.restarts} restarts`);
    if (!m.metricsAvailable) lines.push(`  metrics unavailable: ${m.metricsNote}`);
    for (const u of m.usage) {
        const mem = u.memoryRatio === null ? "n/a" : `${Math.round(u.memoryRatio * 1000) / 10}%`;
        const cpu = u.cpuRatio === null ? "n/a" : `${Math.round(u.cpuRatio * 1000) / 10}%`;
        lines.push(`  usage ${u.pod}/${u.container}: memory ${mem} of limit, CPU ${cpu} of limit`);
    }
    for (const p of m.problems) lines.push(`  problem: ${p}`);
    return lines.join("\n");
}

export async function resourcesCommand(argv: readonly string[]) {
    const options = parseResourcesArgs(argv);
    let kube: KubeClient;
    try {
        kube = new KubeClient(resolveKubeTarget());
    } catch (err) {
        if (err instanceof KubeConfigError) throw new UsageError(err.message);
        throw err;
    }
    try {
        const result = await runResources(options, kube);
        return { result, summary: formatResourcesSummary(result) };
    } finally {
        await kube.close();
    }
}
