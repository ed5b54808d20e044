/**
 * The resource gate's judgement, as a pure function of what the API returned. Three answers:
 * "pass"; "fail" for states that will not heal on their own (OOMKilled, CrashLoopBackOff,
 * image pull errors, Unschedulable, restarts, usage over the limit ratio); and "wait" for
 * states that may still settle (rollout in progress, pod starting, no metrics yet), which
 * the command polls until its deadline and then turns into a failure (fail closed).
 */
import { Condition, ContainerStatus, Deployment, Pod, PodMetrics } from "./kinds";
import { parseQuantity } from "../../../vocabulary/quantities";

/** A quantity the API server reported; anything else means the gate cannot judge and fails. */
function quantity(text: string): number {
    const value = parseQuantity(text.trim());
    if (value === undefined) throw new Error(`"${text}" is not a Kubernetes quantity`);
    return value;
}

export interface Thresholds {
    maxMemoryRatio: number;
    maxCpuRatio: number;
}

/** Metrics as fetched, or why they could not be. */
export type MetricsInput = { available: true; pods: PodMetrics[] } | { available: false; reason: string };

export interface ContainerUsage {
    pod: string;
    container: string;
    memoryBytes: number | null;
    memoryLimitBytes: number | null;
    memoryRatio: number | null;
    cpuCores: number | null;
    cpuLimitCores: number | null;
    cpuRatio: number | null;
}

export interface Evaluation {
    state: "pass" | "fail" | "wait";
    /** Every problem found, most decisive first; empty on pass. */
    problems: string[];
    usage: ContainerUsage[];
}

const brokenWaitingReasons = new Set([
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
]);

function condition(conditions: Condition[] | undefined, type: string): Condition | undefined {
    return conditions?.find((c) => c.type === type);
}

export function deploymentProblems(d: Deployment): { fail: string[]; wait: string[] } {
    const name = `deployment ${d.metadata.name}`;
    const want = d.spec.replicas ?? 1;
    const s = d.status ?? {};
    const fail: string[] = [];
    const wait: string[] = [];
    if (want === 0) fail.push(`${name} is scaled to 0 replicas: nothing serves`);
    const progressing = condition(s.conditions, "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") {
        fail.push(`${name} rollout exceeded its progress deadline: ${progressing.message ?? ""}`.trim());
    }
    if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        wait.push(`${name}: controller has not observed generation ${d.metadata.generation} yet`);
    } else if ((s.updatedReplicas ?? 0) < want) {
        wait.push(`${name}: rollout in progress, ${s.updatedReplicas ?? 0} of ${want} replicas updated`);
    } else if ((s.replicas ?? 0) > want) {
        wait.push(`${name}: rollout in progress, ${(s.replicas ?? 0) - want} old replicas still running`);
    } else if ((s.availableReplicas ?? 0) < want) {
        wait.push(`${name}: ${s.availableReplicas ?? 0} of ${want} replicas available`);
    }
    return { fail, wait };
}

function containerProblems(pod: string, cs: ContainerStatus): { fail: string[]; wait: string[] } {
    const where = `container ${cs.name} in pod ${pod}`;
    const fail: string[] = [];
    const wait: string[] = [];
    const waiting = cs.state?.waiting?.reason;
    if (waiting && brokenWaitingReasons.has(waiting)) {
        const msg = cs.state?.waiting?.message ? `: ${cs.state.waiting.message}` : "";
        fail.push(`${where} is in ${waiting}${msg}`);
    } else if (waiting) {
        wait.push(`${where} is waiting (${waiting})`);
    }
    const terminated = cs.state?.terminated?.reason;
    const lastTerminated = cs.lastState?.terminated?.reason;
    if (terminated === "OOMKilled" || lastTerminated === "OOMKilled") {
        fail.push(`${where} was OOMKilled: the model does not fit in the memory limit`);
    } else if (terminated) {
        fail.push(`${where} terminated (${terminated}, exit code ${cs.state?.terminated?.exitCode ?? "?"})`);
    }
    if (cs.restartCount > 0) {
        const why = lastTerminated ? ` (last exit: ${lastTerminated})` : "";
        fail.push(`${where} restarted ${cs.restartCount} time(s) since the rollout${why}`);
    }
    return { fail, wait };
}

export function podProblems(p: Pod): { fail: string[]; wait: string[] } {
    const name = p.metadata.name;
    const s = p.status ?? {};
    const fail: string[] = [];
    const wait: string[] = [];
    const scheduled = condition(s.conditions, "PodScheduled");
    if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
        fail.push(`pod ${name} is Unschedulable: ${scheduled.message ?? "no node fits its requests"}`);
    }
    if (s.phase === "Failed") fail.push(`pod ${name} failed (${s.reason ?? "no reason"}${s.message ? `: ${s.message}` : ""})`);
    if (s.phase === "Succeeded") fail.push(`pod ${name} exited (phase Succeeded): a server must keep running`);
    for (const cs of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) {
        const r = containerProblems(name, cs);
        fail.push(...r.fail);
        wait.push(...r.wait);
    }
    if (s.phase !== "Running" && s.phase !== "Failed" && s.phase !== "Succeeded") {
        wait.push(`pod ${name} is ${s.phase ?? "in an unknown phase"}`);
    } else if (s.phase === "Running" && condition(s.conditions, "Ready")?.status !== "True") {
        wait.push(`pod ${name} is Running but not Ready`);
    }
    return { fail, wait };
}

function ratio(used: number | null, limit: number | null): number | null {
    if (used === null || limit === null || limit === 0) return null;
    return Math.round((used / limit) * 10_000) / 10_000;
}

function usageProblems(pods: Pod[], metrics: MetricsInput, t: Thresholds): { fail: string[]; wait: string[]; usage: ContainerUsage[] } {
    const fail: string[] = [];
    const wait: string[] = [];
    const usage: ContainerUsage[] = [];
    const byPod = new Map(metrics.available ? metrics.pods.map((m) => [m.metadata.name, m]) : []);
    if (!metrics.available) wait.push(`metrics unavailable (${metrics.reason}): memory and CPU usage cannot be checked`);
    for (const pod of pods) {
        const pm = byPod.get(pod.metadata.name);
        if (metrics.available && !pm) wait.push(`no metrics yet for pod ${pod.metadata.name}`);
        for (const c of pod.spec.containers) {
            const limits = c.resources?.limits ?? {};
            const memLimit = limits.memory !== undefined ? quantity(limits.memory) : null;
            const cpuLimit = limits.cpu !== undefined ? quantity(limits.cpu) : null;
            if (memLimit === null) fail.push(`container ${c.name} in pod ${pod.metadata.name} has no memory limit to check usage against`);
            if (cpuLimit === null) fail.push(`container ${c.name} in pod ${pod.metadata.name} has no CPU limit to check usage against`);
            const cu = pm?.containers.find((x) => x.name === c.name)?.usage;
            if (pm && !cu) wait.push(`no metrics yet for container ${c.name} in pod ${pod.metadata.name}`);
            const mem = cu?.memory !== undefined ? quantity(cu.memory) : null;
            const cpu = cu?.cpu !== undefined ? quantity(cu.cpu) : null;
            const row: ContainerUsage = {
                pod: pod.metadata.name,
                container: c.name,
                memoryBytes: mem,
                memoryLimitBytes: memLimit,
                memoryRatio: ratio(mem, memLimit),
                cpuCores: cpu,
                cpuLimitCores: cpuLimit,
                cpuRatio: ratio(cpu, cpuLimit),
            };
            usage.push(row);
            const where = `container ${c.name} in pod ${pod.metadata.name}`;
            if (row.memoryRatio !== null && row.memoryRatio > t.maxMemoryRatio) {
                fail.push(`${where} uses ${mib(mem!)} of its ${mib(memLimit!)} memory limit (${pct(row.memoryRatio)} > ${pct(t.maxMemoryRatio)})`);
            }
            if (row.cpuRatio !== null && row.cpuRatio > t.maxCpuRatio) {
                fail.push(`${where} uses ${Math.round(cpu! * 1000)}m of its ${Math.round(cpuLimit! * 1000)}m CPU limit (${pct(row.cpuRatio)} > ${pct(t.maxCpuRatio)})`);
            }
        }
    }
    return { fail, wait, usage };
}

const mib = (bytes: number) => `${Math.round((bytes / 2 ** 20) * 10) / 10}Mi`;
const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** Whether the pod's containers run the images of a matched Deployment's pod template (any, when a Deployment shows none). */
export function runsCurrentTemplate(p: Pod, deployments: Deployment[]): boolean {
    const templates = deployments.map((d) => d.spec.template?.spec?.containers);
    if (templates.length === 0 || templates.some((containers) => containers === undefined)) return true;
    const images = (containers: ReadonlyArray<{ name: string; image?: string }>) =>
        JSON.stringify([...containers].map((c) => [c.name, c.image ?? ""]).sort());
    return templates.some((containers) => images(containers!) === images(p.spec.containers));
}

export function evaluateResources(input: { deployments: Deployment[]; pods: Pod[]; metrics: MetricsInput }, t: Thresholds): Evaluation {
    const fail: string[] = [];
    const wait: string[] = [];
    if (input.deployments.length === 0) wait.push("no Deployment matches the selector");
    for (const d of input.deployments) {
        const r = deploymentProblems(d);
        fail.push(...r.fail);
        wait.push(...r.wait);
    }
    // The version under test is the Deployment's template: a pod of the version it replaces
    // (still running, or stuck as a broken earlier version may be) is the rollout's business,
    // which the Deployment's status above waits out, not a verdict on this version.
    const live = input.pods.filter((p) => !p.metadata.deletionTimestamp && runsCurrentTemplate(p, input.deployments));
    if (live.length === 0) wait.push("no running pod of the Deployment's current template matches the selector");
    for (const p of live) {
        const r = podProblems(p);
        fail.push(...r.fail);
        wait.push(...r.wait);
    }
    const u = usageProblems(live.filter((p) => p.status?.phase === "Running"), input.metrics, t);
    fail.push(...u.fail);
    wait.push(...u.wait);
    if (fail.length > 0) return { state: "fail", problems: [...fail, ...wait], usage: u.usage };
    if (wait.length > 0) return { state: "wait", problems: wait, usage: u.usage };
    return { state: "pass", problems: [], usage: u.usage };
}
