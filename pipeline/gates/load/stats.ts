/** Latency statistics over exact samples (the run is bounded in count, so no sketch is needed). */

export interface LatencySummary {
    count: number;
    min: number;
    mean: number;
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
    if (sorted.length === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Rounded to microseconds: sub-millisecond resolution without float noise in the report. */
function us(ms: number): number {
    return Math.round(ms * 1000) / 1000;
}

export function summarize(samples: Float64Array): LatencySummary | undefined {
    if (samples.length === 0) return undefined;
    const sorted = Float64Array.from(samples).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
        count: sorted.length,
        min: us(sorted[0]),
        mean: us(sum / sorted.length),
        p50: us(percentile(sorted, 50)),
        p90: us(percentile(sorted, 90)),
        p95: us(percentile(sorted, 95)),
        p99: us(percentile(sorted, 99)),
        max: us(sorted[sorted.length - 1]),
    };
}
