/**
 * The load generator: N GET requests against one URL, either closed loop (C requests in
 * flight, each starting when one ends) or open loop (request i scheduled at i/R seconds,
 * latency measured from that scheduled start so a slow server cannot hide its queueing:
 * no coordinated omission). Requests go through a minimal keep-alive HTTP/1.1 client
 * (http1.ts) with one small object per attempt and one sweeper timer for all timeouts,
 * which keeps the generator ahead of the servers it measures.
 */
import { Ending, Exchange, Http1Pool } from "./http1";
import { classifyError, emptyCounts, OutcomeCounts, record, recordStatus } from "./outcomes";

export interface LoadPlan {
    url: URL;
    requests: number;
    concurrency: number;
    /** Requests per second for an open loop; undefined for a closed loop. */
    rate?: number;
    timeoutMs: number;
    /** Hard bound on the whole run; unsent requests are reported as not attempted. */
    maxDurationMs: number;
    /** How long the target may refuse every connection (with backoff) before the run stops. */
    refusedGiveUpMs: number;
}

export interface LoadRun {
    counts: OutcomeCounts;
    attempts: number;
    notAttempted: number;
    /** Latencies (ms) of successful attempts, in completion order. */
    successLatencies: Float64Array;
    durationMs: number;
    /** CPU time (user + system) this process spent during the run: the generator's own cost. */
    cpuMs: number;
    stoppedBy?: "time-limit" | "refused";
}

const refusedBackoffStartMs = 50;
const refusedBackoffMaxMs = 1000;
/** One request in flight: a small object whose only method reports how it ended. */
class Attempt implements Exchange {
    timedOut = false;
    done = false;

    constructor(
        readonly scheduledAt: number,
        private readonly onEnd: (attempt: Attempt, ending: Ending) => void,
    ) {}

    end(ending: Ending): void {
        if (this.done) return;
        this.done = true;
        this.onEnd(this, ending);
    }
}

export function runLoad(plan: LoadPlan): Promise<LoadRun> {
    return new Promise((resolve) => {
        const pool = new Http1Pool(plan.url, plan.concurrency);
        const counts = emptyCounts();
        const latencies = new Float64Array(plan.requests);
        const inFlight = new Set<Attempt>();
        let successes = 0;
        let started = 0;
        let finished = 0;
        let stopped: LoadRun["stoppedBy"];
        let ended = false;
        // Refusal backoff: while the target refuses, one probe at a time, spaced exponentially.
        let refusedSince = 0;
        let refusedStreak = 0;
        let probing = false;
        let pausedUntil = 0;
        let wakeTimer: NodeJS.Timeout | undefined;
        const waiting: Array<() => void> = [];
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const openLoop = plan.rate !== undefined;
        const intervalMs = openLoop ? 1000 / plan.rate! : 0;

        const finish = () => {
            if (ended) return;
            ended = true;
            clearTimeout(deadlineTimer);
            clearInterval(sweeper);
            clearTimeout(wakeTimer);
            const durationMs = performance.now() - t0;
            const cpu = process.cpuUsage(cpu0);
            pool.close();
            resolve({
                counts,
                attempts: finished,
                notAttempted: plan.requests - started,
                successLatencies: latencies.subarray(0, successes),
                durationMs,
                cpuMs: (cpu.user + cpu.system) / 1000,
                stoppedBy: stopped,
            });
        };

        const deadlineTimer = setTimeout(() => {
            stopped = stopped ?? "time-limit";
            // In-flight requests end by their own timeout, well inside this margin.
            setTimeout(finish, plan.timeoutMs + 2000).unref();
            if (finished === started) finish();
            wakeAll();
        }, plan.maxDurationMs);

        // One timer checks every in-flight request instead of one timer per request.
        const sweepMs = Math.max(1, Math.min(100, Math.floor(plan.timeoutMs / 20)));
        const sweeper = setInterval(() => {
            const now = performance.now();
            for (const a of inFlight) {
                if (!a.timedOut && now - a.scheduledAt >= plan.timeoutMs) {
                    a.timedOut = true;
                    pool.abort(a);
                    a.end({ kind: "error", code: "TIMEOUT" });
                }
            }
        }, sweepMs);

        const canStart = () => !stopped && started < plan.requests;

        const wakeAll = () => {
            wakeTimer = undefined;
            const list = waiting.splice(0);
            for (const resume of list) resume();
        };

        /** Whether a new request may go now; if not, `resume` runs when it may try again. */
        const admit = (resume: () => void): boolean => {
            if (refusedStreak === 0) return true;
            const now = performance.now();
            if (!probing && now >= pausedUntil) {
                probing = true;
                return true;
            }
            waiting.push(resume);
            if (!probing && !wakeTimer) wakeTimer = setTimeout(wakeAll, pausedUntil - now);
            return false;
        };

        const onEnd = (attempt: Attempt, ending: Ending) => {
            inFlight.delete(attempt);
            finished++;
            const now = performance.now();
            let refused = false;
            if (attempt.timedOut || now - attempt.scheduledAt > plan.timeoutMs) {
                counts.timeout++;
            } else if (ending.kind === "response") {
                if (ending.status >= 200 && ending.status < 300) {
                    counts.success++;
                    latencies[successes++] = now - attempt.scheduledAt;
                } else recordStatus(counts, ending.status);
            } else {
                const { outcome, code } = classifyError({ code: ending.code });
                record(counts, outcome, code);
                refused = outcome === "refused";
            }
            if (refused) {
                if (refusedStreak === 0) refusedSince = now;
                refusedStreak++;
                pausedUntil = now + Math.min(refusedBackoffMaxMs, refusedBackoffStartMs * 2 ** Math.min(refusedStreak - 1, 10));
                if (now - refusedSince >= plan.refusedGiveUpMs) stopped = "refused";
            } else {
                refusedStreak = 0;
                pausedUntil = 0;
            }
            probing = false;
            if (finished === plan.requests || ((stopped || !canStart()) && finished === started)) {
                finish();
                return;
            }
            if (waiting.length > 0 && (stopped || refusedStreak === 0)) wakeAll();
            else if (waiting.length > 0 && !wakeTimer) wakeTimer = setTimeout(wakeAll, pausedUntil - now);
            if (!openLoop) next();
        };

        const fire = (scheduledAt: number) => {
            started++;
            const attempt = new Attempt(scheduledAt, onEnd);
            inFlight.add(attempt);
            pool.dispatch(attempt);
        };

        // Closed loop: each completion starts the next request.
        const next = () => {
            if (!canStart()) {
                if (finished === started) finish();
                return;
            }
            if (admit(next)) fire(performance.now());
        };

        // Open loop: start every request whose scheduled time has come, then sleep until the next.
        // A request delayed by refusal backoff keeps its scheduled start, so the delay counts.
        const tick = () => {
            if (ended) return;
            while (canStart() && t0 + started * intervalMs <= performance.now()) {
                if (!admit(tick)) return;
                fire(t0 + started * intervalMs);
            }
            if (canStart()) setTimeout(tick, Math.max(0, t0 + started * intervalMs - performance.now()));
            else if (finished === started) finish();
        };

        if (openLoop) tick();
        else for (let i = 0; i < plan.concurrency; i++) next();
    });
}
