/**
 * The verdict on canary's live traffic: enough requests to judge, an error rate and a p95 within
 * the thresholds. Pure, so every branch is tested directly; reasons carry the figures and say
 * what a student can do next.
 */
import type { ServiceWindow } from "./traffic";

export interface CanaryThresholds {
    windowS: number;
    maxErrorRate: number;
    p95Ms: number;
    minRequests: number;
}

export interface CanaryVerdict {
    ok: boolean;
    reason: string;
}

const percent = (x: number) => `${Math.round(x * 10_000) / 100}%`;

function codes(w: ServiceWindow): string {
    return Object.entries(w.byCode)
        .filter(([code]) => /^5/.test(code))
        .map(([code, n]) => `${n}x ${code}`)
        .join(", ");
}

function latencyText(w: ServiceWindow): string {
    const l = w.latency;
    if (!l) return "no latency figures";
    return l.bucketUpperMs === null ? `p95 above ${l.bucketLowerMs} ms (Traefik's largest latency bucket)` : `p95 ≈ ${l.p95Ms} ms`;
}

/** One line about a service's window, for the report and for production's comparison figures. */
export function describeWindow(w: ServiceWindow): string {
    if (w.requests === 0) return "no requests";
    return `${w.requests} requests, error rate ${percent(w.errorRate ?? 0)}, ${latencyText(w)}`;
}

export function evaluateCanary(canary: ServiceWindow, t: CanaryThresholds): CanaryVerdict {
    const window = `in the last ${t.windowS} s`;
    if (canary.requests < t.minRequests) {
        const served = canary.requests === 0 ? "no requests" : `only ${canary.requests} requests`;
        return {
            ok: false,
            reason:
                `cannot decide: canary served ${served} through the public address ${window} (at least ${t.minRequests} needed); ` +
                `send traffic to the app's public address while the check runs, or raise canaryTrafficPercent, then promote again`,
        };
    }
    const errorRate = canary.errorRate ?? 0;
    if (errorRate > t.maxErrorRate) {
        return {
            ok: false,
            reason: `canary's error rate ${percent(errorRate)} ${window} is above ${percent(t.maxErrorRate)}: ${canary.errors} of ${canary.requests} requests answered 5xx (${codes(canary)})`,
        };
    }
    const l = canary.latency;
    if (!l) {
        return { ok: false, reason: `cannot decide: Traefik reported ${canary.requests} requests but no latency histogram for canary ${window}` };
    }
    if (l.bucketUpperMs === null) {
        // Beyond the largest finite bucket: known to exceed that bound, nothing more.
        if (l.bucketLowerMs >= t.p95Ms) {
            return { ok: false, reason: `canary's p95 latency ${window} is above ${l.bucketLowerMs} ms, over the ${t.p95Ms} ms allowed (${l.count} requests measured)` };
        }
        return {
            ok: false,
            reason: `cannot decide: canary's p95 latency is above ${l.bucketLowerMs} ms, Traefik's largest latency bucket, so it cannot be compared with ${t.p95Ms} ms`,
        };
    }
    if (l.p95Ms > t.p95Ms) {
        return {
            ok: false,
            reason: `canary's p95 latency ≈ ${l.p95Ms} ms ${window} is above ${t.p95Ms} ms (in Traefik's ${l.bucketLowerMs}-${l.bucketUpperMs} ms bucket, ${l.count} requests measured)`,
        };
    }
    return {
        ok: true,
        reason: `canary served ${canary.requests} requests ${window}: error rate ${percent(errorRate)} (at most ${percent(t.maxErrorRate)}), p95 ≈ ${l.p95Ms} ms (at most ${t.p95Ms} ms)`,
    };
}
