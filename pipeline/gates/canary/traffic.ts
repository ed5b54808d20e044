/**
 * What one Traefik service served between two scrapes of Traefik's /metrics: requests by
 * status code (traefik_service_requests_total, labels code, method, protocol, service) and the
 * latency histogram (traefik_service_request_duration_seconds_bucket, the same labels and le).
 * Counters only grow while Traefik runs, so the window's traffic is the difference; a counter
 * that shrank or vanished means Traefik restarted or dropped the service mid-window, and the
 * window cannot be read.
 */
import type { Sample } from "./exposition";

export const requestsMetric = "traefik_service_requests_total";
export const durationBucketMetric = "traefik_service_request_duration_seconds_bucket";

export class WindowUnreadable extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WindowUnreadable";
    }
}

export interface ServiceWindow {
    service: string;
    requests: number;
    /** Requests by HTTP status code, e.g. { "200": 48, "503": 2 }. */
    byCode: Record<string, number>;
    /** 5xx answers: the app's own errors and Traefik's 502/503/504 when canary did not answer. */
    errors: number;
    errorRate: number | null;
    latency: LatencyEstimate | null;
}

export interface LatencyEstimate {
    /** Requests the histogram counted in the window. */
    count: number;
    /** p95 interpolated within its bucket, the way PromQL's histogram_quantile does. */
    p95Ms: number;
    /** The bucket the p95 falls in; upperMs null when it is beyond the largest finite bound. */
    bucketLowerMs: number;
    bucketUpperMs: number | null;
}

function seriesKey(labels: Record<string, string>, omit: string): string {
    return Object.keys(labels)
        .filter((k) => k !== omit)
        .sort()
        .map((k) => `${k}=${JSON.stringify(labels[k])}`)
        .join(",");
}

/** Increase of each series of `metric` for `service` between the scrapes, keyed by its labels. */
function increases(before: readonly Sample[], after: readonly Sample[], metric: string, service: string): Map<string, { labels: Record<string, string>; delta: number }> {
    const pick = (samples: readonly Sample[]) =>
        new Map(samples.filter((s) => s.name === metric && s.labels.service === service).map((s) => [seriesKey(s.labels, "service"), s]));
    const start = pick(before);
    const end = pick(after);
    const out = new Map<string, { labels: Record<string, string>; delta: number }>();
    for (const key of start.keys()) {
        if (!end.has(key)) throw new WindowUnreadable(`${metric}{${key}} of ${service} disappeared during the window: Traefik restarted or reloaded the route`);
    }
    for (const [key, s] of end) {
        const was = start.get(key)?.value ?? 0; // a series first appears with its first request
        if (!Number.isFinite(s.value) || s.value < was) {
            throw new WindowUnreadable(`${metric}{${key}} of ${service} went from ${was} to ${s.value}: Traefik restarted during the window`);
        }
        out.set(key, { labels: s.labels, delta: s.value - was });
    }
    return out;
}

/** histogram_quantile over cumulative (le, count) pairs, +Inf last. */
export function estimateQuantile(q: number, buckets: ReadonlyArray<{ le: number; count: number }>): LatencyEstimate | null {
    const sorted = [...buckets].sort((a, b) => a.le - b.le);
    const total = sorted.at(-1);
    if (!total || total.le !== Number.POSITIVE_INFINITY || total.count <= 0) return null;
    const rank = q * total.count;
    let lower = 0;
    let below = 0;
    for (const b of sorted) {
        if (b.count >= rank) {
            if (b.le === Number.POSITIVE_INFINITY) {
                return { count: total.count, p95Ms: lower * 1000, bucketLowerMs: lower * 1000, bucketUpperMs: null };
            }
            const inBucket = b.count - below;
            const p = inBucket > 0 ? lower + (b.le - lower) * ((rank - below) / inBucket) : b.le;
            return { count: total.count, p95Ms: Math.round(p * 1_000_000) / 1000, bucketLowerMs: lower * 1000, bucketUpperMs: b.le * 1000 };
        }
        lower = b.le;
        below = b.count;
    }
    return null;
}

export function serviceWindow(before: readonly Sample[], after: readonly Sample[], service: string): ServiceWindow {
    const byCode: Record<string, number> = {};
    let requests = 0;
    for (const { labels, delta } of increases(before, after, requestsMetric, service).values()) {
        if (delta === 0) continue;
        byCode[labels.code ?? "unknown"] = (byCode[labels.code ?? "unknown"] ?? 0) + delta;
        requests += delta;
    }
    const errors = Object.entries(byCode)
        .filter(([code]) => /^5\d\d$/.test(code))
        .reduce((sum, [, n]) => sum + n, 0);

    const cumulative = new Map<number, number>();
    for (const { labels, delta } of increases(before, after, durationBucketMetric, service).values()) {
        const le = labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(labels.le);
        if (labels.le === undefined || Number.isNaN(le)) throw new WindowUnreadable(`${durationBucketMetric} of ${service} has a bucket without a numeric le label`);
        cumulative.set(le, (cumulative.get(le) ?? 0) + delta);
    }
    const latency = estimateQuantile(0.95, [...cumulative].map(([le, count]) => ({ le, count })));
    return { service, requests, byCode, errors, errorRate: requests > 0 ? errors / requests : null, latency };
}

/** True when the scrape carries Traefik's service metrics at all (for any service). */
export function hasServiceMetrics(samples: readonly Sample[]): boolean {
    return samples.some((s) => s.name.startsWith("traefik_"));
}
