/**
 * `gate split`: does the public address give canary its share? Sends --requests GETs to the
 * app's /version at the public address, one after another as a visitor would, counts which
 * model version answered, and compares canary's share (answers naming --canary-version) with
 * --expect-percent within --tolerance percentage points. Every request must be answered: a
 * failed one is reported by its reason and fails the check, since it may have been canary's.
 */
import { parseBaseUrl, UsageError } from "../args";
import { splitFlags } from "../contract";
import { parseFlags } from "../flags";
import { httpRequest, TransportError } from "../http";
import { parseVersion } from "../integration/appResponses";
import { fail, GateResult, pass } from "../report";
import { versionFlag } from "../release/options";

export interface SplitOptions {
    url: URL;
    canaryVersion: string;
    expectPercent: number;
    tolerance: number;
    requests: number;
    timeoutMs: number;
}

export function parseSplitArgs(argv: readonly string[]): SplitOptions {
    const flags = parseFlags(splitFlags, argv);
    const url = parseBaseUrl("url", flags.url);
    if (!url.pathname.endsWith("/version")) throw new UsageError(`--url must end in /version (the app's version endpoint), got "${url}"`);
    return {
        url,
        canaryVersion: versionFlag(flags.canaryVersion, "canary-version"),
        expectPercent: flags.expectPercent,
        tolerance: flags.tolerance,
        requests: flags.requests,
        timeoutMs: flags.timeoutMs,
    };
}

export interface SplitMetrics {
    url: string;
    requests: number;
    /** Answers by the model version they named. */
    byVersion: Record<string, number>;
    /** Requests without a usable answer, by reason. */
    failures: Record<string, number>;
    canaryVersion: string;
    canaryPercent: number | null;
    expectPercent: number;
    tolerance: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function runSplit(o: SplitOptions): Promise<GateResult<SplitMetrics>> {
    const m: SplitMetrics = {
        url: o.url.toString(),
        requests: o.requests,
        byVersion: {},
        failures: {},
        canaryVersion: o.canaryVersion,
        canaryPercent: null,
        expectPercent: o.expectPercent,
        tolerance: o.tolerance,
    };
    for (let i = 0; i < o.requests; i++) {
        let reason: string;
        try {
            const res = await httpRequest({ url: o.url, timeoutMs: o.timeoutMs });
            const parsed = parseVersion(res.status, res.body.toString("utf8"));
            if (parsed.ok) {
                m.byVersion[parsed.value] = (m.byVersion[parsed.value] ?? 0) + 1;
                continue;
            }
            reason = parsed.reason;
        } catch (err) {
            reason = err instanceof TransportError ? err.message : (err as Error).message;
        }
        m.failures[reason] = (m.failures[reason] ?? 0) + 1;
    }
    const answered = Object.values(m.byVersion).reduce((a, b) => a + b, 0);
    const failed = o.requests - answered;
    if (answered > 0) m.canaryPercent = round(((m.byVersion[o.canaryVersion] ?? 0) / answered) * 100);
    const seen = Object.entries(m.byVersion)
        .map(([v, n]) => `${n}x version ${v}`)
        .join(", ");
    if (failed > 0) {
        const [first] = Object.entries(m.failures).sort((a, b) => b[1] - a[1]);
        return fail(`${failed} of ${o.requests} requests got no version (most often: ${first[0]}); answers: ${seen || "none"}`, m);
    }
    const share = m.canaryPercent ?? 0;
    const off = round(Math.abs(share - o.expectPercent));
    if (off > o.tolerance) {
        return fail(`canary (version ${o.canaryVersion}) answered ${share}% of ${answered} requests, ${off} points from the expected ${o.expectPercent}% (tolerance ${o.tolerance}); answers: ${seen}`, m);
    }
    return pass(`canary (version ${o.canaryVersion}) answered ${share}% of ${answered} requests, within ${o.tolerance} points of ${o.expectPercent}%; answers: ${seen}`, m);
}

export function formatSplitSummary(r: GateResult<SplitMetrics>): string {
    const m = r.metrics;
    const lines = [`split: ${m.requests} requests to ${m.url}, canary is version ${m.canaryVersion}`];
    for (const [v, n] of Object.entries(m.byVersion)) lines.push(`  version ${v}: ${n}`);
    for (const [reason, n] of Object.entries(m.failures)) lines.push(`  FAILED ${n}x: ${reason}`);
    return lines.join("\n");
}

export async function splitCommand(argv: readonly string[]) {
    const result = await runSplit(parseSplitArgs(argv));
    return { result, summary: formatSplitSummary(result) };
}
