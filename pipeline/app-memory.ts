/**
 * Whether an app environment's memory limit can hold the normal model under the traffic it is
 * given: staging under the load gate's concurrency, canary and production under one request at
 * a time. A limit below that is not a setting the pipeline can work with: staging would be
 * OOM-killed by the load gate's own requests and every good model reverted.
 */
import type { StackCheck } from "../infra/config/load";
import { parseMemoryBytes } from "../vocabulary/quantities";
import { environments } from "../vocabulary/names";
import type { PlatformSettings } from "../infra/platform/config";
import type { PipelineConfig } from "./config";

/**
 * The app serving the normal model with its own torch (PyPI 2.5.1), measured by
 * `npm run bench:app-limits` (docs/gates.md): memory once it has answered its first requests, and
 * what each request in flight adds (one Flask thread, its activations and allocator arenas).
 */
export const normalModelMemory = {
    idleMiB: 400,
    perRequestMiB: 30,
    /** The peak under load may use at most this share of the limit. */
    maxShareOfLimit: 0.8,
} as const;

/** MiB the app needs with `concurrency` requests in flight. */
export function appMemoryNeedMiB(concurrency: number): number {
    return normalModelMemory.idleMiB + normalModelMemory.perRequestMiB * concurrency;
}

/** The smallest limit, in whole MiB, that keeps that need within the allowed share. */
export function smallestAppMemoryLimitMiB(concurrency: number): number {
    return Math.ceil(appMemoryNeedMiB(concurrency) / normalModelMemory.maxShareOfLimit);
}

export const appMemoryFitsItsTraffic: StackCheck<{ pipeline: PipelineConfig; platform: PlatformSettings }> = (settings, report) => {
    const concurrency = settings.pipeline.thresholds.loadConcurrency;
    for (const env of environments) {
        const limit = settings.platform.appResources[env].limits.memory;
        const bytes = parseMemoryBytes(limit);
        if (bytes === undefined) continue; // reported by the platform section already
        const inFlight = env === "staging" ? concurrency : 1;
        const smallest = smallestAppMemoryLimitMiB(inFlight);
        if (bytes >= smallest * 2 ** 20) continue;
        const traffic = env === "staging" ? `the load gate's ${concurrency} concurrent requests (gateLoadConcurrency)` : "one request at a time";
        const fix = env === "staging" ? `, or lower gourmetgram:gateLoadConcurrency` : "";
        report(
            "appResources",
            `${env}.limits.memory ${limit} is too small for the normal model under ${traffic}: the app needs about ` +
                `${appMemoryNeedMiB(inFlight)}Mi (${normalModelMemory.idleMiB}Mi serving + ${normalModelMemory.perRequestMiB}Mi per request in flight), ` +
                `which must stay under ${normalModelMemory.maxShareOfLimit * 100}% of the limit; set ${env}.limits.memory to at least ${smallest}Mi${fix}`,
        );
    }
};
