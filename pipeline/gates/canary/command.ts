/**
 * `gate canary`: may canary's version go to production? Reads Traefik's Prometheus metrics
 * twice, --window-s apart, and judges the live traffic canary served through the public
 * address in between (error rate, p95 latency, enough requests) against the thresholds.
 * No traffic cannot show anything: the check then refuses. With --override-by and
 * --override-reason a refusal becomes a pass, recorded on the MLflow model version with the
 * figures it overrode, so the promotion goes ahead on a named person's word.
 */
import { nameText, parseBaseUrl, UsageError } from "../args";
import { canaryFlags } from "../contract";
import { parseFlags, type FlagValues } from "../flags";
import { httpRequest, TransportError } from "../http";
import { fail, GateResult, pass } from "../report";
import { parseConnections, versionFlag, type Connections } from "../release/options";
import { runRelease } from "../release/run";
import { ReleaseRefused } from "../release/steps";
import { describeWindow, evaluateCanary, type CanaryThresholds } from "./evaluate";
import { ExpositionError, parseExposition, type Sample } from "./exposition";
import { hasServiceMetrics, serviceWindow, WindowUnreadable, type ServiceWindow } from "./traffic";

export interface Override {
    by: string;
    reason: string;
}

export interface CanaryOptions {
    metricsUrl: URL;
    canaryService: string;
    productionService: string;
    version: string;
    thresholds: CanaryThresholds;
    timeoutMs: number;
    override?: Override;
    conn: Connections;
}

/** MLflow model-version tags an override writes (one home: the docs and the tests read these). */
export const overrideTags = {
    by: "production-override-by",
    reason: "production-override-reason",
    refused: "production-override-refused-check",
} as const;

/**
 * Both override flags or neither. The workflow always passes them, empty when the person
 * promoting gave none, so an empty value means "not given".
 */
function parseOverride(flags: FlagValues<typeof canaryFlags>): Override | undefined {
    const by = flags.overrideBy?.trim() ?? "";
    const reason = flags.overrideReason?.trim() ?? "";
    if (by === "" && reason === "") return undefined;
    if (by === "") throw new UsageError("--override-reason was given without --override-by: an override names who takes responsibility (e.g. a NetID)");
    if (reason === "") throw new UsageError("--override-by was given without --override-reason: an override says why canary's figures are acceptable");
    return { by: nameText("override-by", by, 128), reason: nameText("override-reason", reason, 1000) };
}

export function parseCanaryArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CanaryOptions {
    const flags = parseFlags(canaryFlags, argv);
    return {
        metricsUrl: parseBaseUrl("metrics-url", flags.metricsUrl),
        canaryService: nameText("canary-service", flags.canaryService),
        productionService: nameText("production-service", flags.productionService),
        version: versionFlag(flags.version),
        thresholds: { windowS: flags.windowS, maxErrorRate: flags.maxErrorRate, p95Ms: flags.p95Ms, minRequests: flags.minRequests },
        timeoutMs: flags.timeoutMs,
        override: parseOverride(flags),
        conn: parseConnections(flags, env),
    };
}

export interface CanaryMetrics {
    metricsUrl: string;
    version: string;
    thresholds: CanaryThresholds;
    canary: ServiceWindow | null;
    production: ServiceWindow | null;
    /** The check's own verdict before any override. */
    check: { ok: boolean; reason: string };
    override: (Override & { recorded: boolean }) | null;
}

class ScrapeFailed extends Error {}

async function scrape(url: URL, timeoutMs: number): Promise<Sample[]> {
    let body: string;
    try {
        const res = await httpRequest({ url, timeoutMs, headers: { accept: "text/plain" } });
        if (res.status !== 200) throw new ScrapeFailed(`${url} answered HTTP ${res.status}`);
        body = res.body.toString("utf8");
    } catch (err) {
        if (err instanceof TransportError) throw new ScrapeFailed(err.message);
        throw err;
    }
    let samples: Sample[];
    try {
        samples = parseExposition(body);
    } catch (err) {
        if (err instanceof ExpositionError) throw new ScrapeFailed(`${url} is not in Prometheus text format: ${err.message}`);
        throw err;
    }
    if (!hasServiceMetrics(samples)) throw new ScrapeFailed(`${url} serves no traefik_ metrics: is it Traefik's metrics entry point?`);
    return samples;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two scrapes --window-s apart and the verdict on canary's share of the traffic, before any override. */
export async function checkCanaryTraffic(o: CanaryOptions): Promise<CanaryMetrics> {
    const m: CanaryMetrics = {
        metricsUrl: o.metricsUrl.toString(),
        version: o.version,
        thresholds: o.thresholds,
        canary: null,
        production: null,
        check: { ok: false, reason: "not checked" },
        override: null,
    };
    try {
        const before = await scrape(o.metricsUrl, o.timeoutMs);
        await sleep(o.thresholds.windowS * 1000);
        const after = await scrape(o.metricsUrl, o.timeoutMs);
        m.canary = serviceWindow(before, after, o.canaryService);
        m.production = serviceWindow(before, after, o.productionService);
        m.check = evaluateCanary(m.canary, o.thresholds);
    } catch (err) {
        if (!(err instanceof ScrapeFailed || err instanceof WindowUnreadable)) throw err;
        m.check = { ok: false, reason: `cannot decide: could not read canary's traffic from Traefik: ${err.message}` };
    }
    return m;
}

async function recordOverride(o: CanaryOptions & { override: Override }, m: CanaryMetrics): Promise<GateResult<unknown>> {
    return (
        await runRelease("override", o.conn, {}, async ({ mlflow, conn, log }) => {
            if (!(await mlflow.getModelVersion(conn.modelName, o.version))) {
                throw new ReleaseRefused(`model version ${o.version} of ${conn.modelName} does not exist in MLflow, so the override cannot be recorded on it`);
            }
            await mlflow.setVersionTag(conn.modelName, o.version, overrideTags.by, o.override.by);
            await mlflow.setVersionTag(conn.modelName, o.version, overrideTags.reason, o.override.reason);
            await mlflow.setVersionTag(conn.modelName, o.version, overrideTags.refused, m.check.reason);
            log.changed("record", `v${o.version} tagged ${overrideTags.by}=${o.override.by}`);
            return "recorded";
        })
    ).result;
}

export async function runCanaryCheck(o: CanaryOptions): Promise<GateResult<CanaryMetrics>> {
    const m = await checkCanaryTraffic(o);
    const production = m.production ? ` (production over the same window: ${describeWindow(m.production)})` : "";
    if (m.check.ok) {
        const unused = o.override ? "; the override was not needed and is not recorded" : "";
        return pass(`${m.check.reason}${production}${unused}`, m);
    }
    if (!o.override) {
        return fail(`${m.check.reason}${production}. To promote anyway, give override-by and override-reason`, m);
    }
    const record = await recordOverride({ ...o, override: o.override }, m);
    m.override = { ...o.override, recorded: record.verdict === "pass" };
    if (record.verdict !== "pass") {
        return fail(`the override by ${o.override.by} could not be recorded in MLflow, so nothing is promoted: ${record.reason}`, m);
    }
    return pass(`promoted on override by ${o.override.by} (${o.override.reason}), recorded on model version ${o.version}; the check said: ${m.check.reason}`, m);
}

export function formatCanarySummary(r: GateResult<CanaryMetrics>): string {
    const m = r.metrics;
    const lines = [`canary: ${m.metricsUrl}, window ${m.thresholds.windowS} s, model version ${m.version}`];
    if (m.canary) lines.push(`  canary     ${m.canary.service}: ${describeWindow(m.canary)}`);
    if (m.production) lines.push(`  production ${m.production.service}: ${describeWindow(m.production)}`);
    lines.push(`  check: ${m.check.ok ? "ok" : "REFUSED"}: ${m.check.reason}`);
    if (m.override) lines.push(`  override by ${m.override.by}: ${m.override.reason} (${m.override.recorded ? "recorded in MLflow" : "NOT recorded"})`);
    return lines.join("\n");
}

export async function canaryCommand(argv: readonly string[]) {
    const result = await runCanaryCheck(parseCanaryArgs(argv));
    return { result, summary: formatCanarySummary(result) };
}
