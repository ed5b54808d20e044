/** `gate load`: flags, the run, and the verdict against the p95 and success-rate thresholds. */
import { dnsLabel, parseBaseUrl, UsageError } from "../args";
import { loadFlags } from "../contract";
import { parseFlags, type FlagValues } from "../flags";
import { KubeClient } from "../kube/client";
import { KubeConfigError, resolveKubeTarget } from "../kube/config";
import { fail, GateResult, pass } from "../report";
import { podChangesUnderLoad, PodsUnderLoad, readPods, snapshot } from "./pods";
import { LoadPlan, LoadRun, runLoad } from "./engine";
import { OutcomeCounts } from "./outcomes";
import { LatencySummary, summarize } from "./stats";

/** Refused connections are retried with backoff for this long before the run gives up. */
export const refusedGiveUpMs = 5000;

export interface LoadOptions extends LoadPlan {
    p95Ms: number;
    minSuccessRate: number;
    /** The app's pods, checked for restarts and OOM kills across the load. */
    pods?: { namespace: string; selector: string };
}

type LoadFlagValues = FlagValues<typeof loadFlags>;

function podsFlags(flags: LoadFlagValues): LoadOptions["pods"] {
    const { namespace, selector } = flags;
    if (namespace === undefined && selector === undefined) return undefined;
    if (namespace === undefined || selector === undefined) {
        throw new UsageError("--namespace and --selector go together: both name the app's pods to check after the load, e.g. --namespace gourmetgram-staging --selector app.kubernetes.io/name=gourmetgram-app");
    }
    if (selector.trim() === "") throw new UsageError("--selector must not be empty: it selects the app's pods, e.g. app.kubernetes.io/name=gourmetgram-app");
    return { namespace: dnsLabel("namespace", namespace), selector };
}

export function parseLoadArgs(argv: readonly string[]): LoadOptions {
    const flags = parseFlags(loadFlags, argv);
    return {
        url: parseBaseUrl("url", flags.url),
        requests: flags.requests,
        concurrency: flags.concurrency,
        rate: flags.rate,
        timeoutMs: flags.timeoutMs,
        p95Ms: flags.p95Ms,
        minSuccessRate: flags.minSuccessRate,
        maxDurationMs: flags.maxDurationS * 1000,
        refusedGiveUpMs,
        pods: podsFlags(flags),
    };
}

export interface LoadMetrics {
    url: string;
    mode: "closed-loop" | "open-loop";
    concurrency: number;
    rate: number | null;
    requestsPlanned: number;
    attempts: number;
    notAttempted: number;
    outcomes: OutcomeCounts;
    successRate: number;
    requestsPerSecond: number;
    durationS: number;
    /** CPU the load generator itself used; compare with durationS to see it was not the bottleneck. */
    generatorCpuS: number;
    /** Over successful attempts; null when none succeeded. */
    latencyMs: LatencySummary | null;
    thresholds: { p95Ms: number; minSuccessRate: number; timeoutMs: number };
    /** The app's containers before and after the load; null when --namespace/--selector were not given. */
    pods: PodsUnderLoad | null;
}

function round(value: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}

export function loadMetrics(options: LoadOptions, run: LoadRun): LoadMetrics {
    const latency = summarize(run.successLatencies);
    return {
        url: options.url.toString(),
        mode: options.rate === undefined ? "closed-loop" : "open-loop",
        concurrency: options.concurrency,
        rate: options.rate ?? null,
        requestsPlanned: options.requests,
        attempts: run.attempts,
        notAttempted: run.notAttempted,
        outcomes: run.counts,
        successRate: run.attempts === 0 ? 0 : round(run.counts.success / run.attempts, 6),
        requestsPerSecond: run.durationMs === 0 ? 0 : round(run.attempts / (run.durationMs / 1000), 1),
        durationS: round(run.durationMs / 1000, 3),
        generatorCpuS: round(run.cpuMs / 1000, 3),
        latencyMs: latency ?? null,
        thresholds: { p95Ms: options.p95Ms, minSuccessRate: options.minSuccessRate, timeoutMs: options.timeoutMs },
        pods: null,
    };
}

/** Pure: the verdict for a finished run. Unfinished runs and empty runs fail. */
export function judgeLoad(m: LoadMetrics, stoppedBy?: LoadRun["stoppedBy"]): GateResult<LoadMetrics> {
    if (stoppedBy === "refused") {
        return fail(`the target kept refusing connections (${m.outcomes.refused} refused, with backoff); stopped after ${m.attempts} of ${m.requestsPlanned} requests`, m);
    }
    if (m.notAttempted > 0) {
        return fail(`time limit reached: only ${m.attempts} of ${m.requestsPlanned} requests were attempted`, m);
    }
    const pct = (x: number) => `${round(x * 100, 2)}%`;
    if (m.successRate < m.thresholds.minSuccessRate) {
        return fail(`success rate ${pct(m.successRate)} is below ${pct(m.thresholds.minSuccessRate)} (${describeFailures(m.outcomes)})`, m);
    }
    if (!m.latencyMs) return fail("no request succeeded, so there is no latency to judge", m);
    if (m.latencyMs.p95 > m.thresholds.p95Ms) {
        return fail(`p95 latency ${m.latencyMs.p95} ms exceeds ${m.thresholds.p95Ms} ms`, m);
    }
    return pass(`success rate ${pct(m.successRate)} >= ${pct(m.thresholds.minSuccessRate)} and p95 ${m.latencyMs.p95} ms <= ${m.thresholds.p95Ms} ms`, m);
}

export function describeFailures(c: OutcomeCounts): string {
    const parts: string[] = [];
    for (const [status, n] of Object.entries(c.nonSuccessByStatus)) parts.push(`${n}x HTTP ${status}`);
    if (c.timeout) parts.push(`${c.timeout}x timeout`);
    if (c.reset) parts.push(`${c.reset}x connection reset`);
    if (c.refused) parts.push(`${c.refused}x connection refused`);
    for (const [code, n] of Object.entries(c.transportByCode)) parts.push(`${n}x ${code}`);
    return parts.length ? parts.join(", ") : "no failures";
}

export function formatLoadSummary(m: LoadMetrics): string {
    const l = m.latencyMs;
    const lat = l ? `p50 ${l.p50} ms, p90 ${l.p90} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms` : "no successful responses";
    return [
        `load: ${m.mode} against ${m.url}, concurrency ${m.concurrency}${m.rate ? `, rate ${m.rate}/s` : ""}`,
        `  attempts ${m.attempts}/${m.requestsPlanned} in ${m.durationS} s (${m.requestsPerSecond} req/s), success ${m.outcomes.success} (${round(m.successRate * 100, 2)}%)`,
        `  failures: ${describeFailures(m.outcomes)}`,
        `  latency of successes: ${lat}`,
        ...(m.pods ? [`  pods: ${m.pods.after.map((c) => `${c.pod}/${c.container} restarts ${c.restarts}`).join(", ") || "none"}${m.pods.problems.length ? `; ${m.pods.problems.join("; ")}` : ""}`] : []),
    ].join("\n");
}

/** A restart or OOM kill during the load fails the gate whatever the figures say, and its reason leads. */
export function judgeWithPods(figures: GateResult<LoadMetrics>, pods: PodsUnderLoad): GateResult<LoadMetrics> {
    const metrics = { ...figures.metrics, pods };
    if (pods.problems.length === 0) return { ...figures, metrics };
    const figuresSaid = figures.verdict === "pass" ? `the load figures alone passed: ${figures.reason}` : `load: ${figures.reason}`;
    return fail(`${pods.problems.join("; ")} (${figuresSaid})`, metrics);
}

function kubeClient(): KubeClient {
    try {
        return new KubeClient(resolveKubeTarget());
    } catch (err) {
        if (err instanceof KubeConfigError) throw new UsageError(`${err.message} (--namespace/--selector need the Kubernetes API)`);
        throw err;
    }
}

export async function loadCommand(argv: readonly string[]): Promise<{ result: GateResult<LoadMetrics>; summary: string }> {
    const options = parseLoadArgs(argv);
    const kube = options.pods ? kubeClient() : undefined;
    try {
        const before = kube && options.pods ? await readPods(kube, options.pods.namespace, options.pods.selector) : [];
        const run = await runLoad(options);
        const metrics = loadMetrics(options, run);
        let result = judgeLoad(metrics, run.stoppedBy);
        if (kube && options.pods) {
            const after = await readPods(kube, options.pods.namespace, options.pods.selector);
            result = judgeWithPods(result, {
                ...options.pods,
                before: snapshot(before),
                after: snapshot(after),
                problems: podChangesUnderLoad(before, after, options.concurrency),
            });
        }
        return { result, summary: formatLoadSummary(result.metrics) };
    } finally {
        await kube?.close();
    }
}
