/**
 * `gate integration`: wait until BASE serves the expected model version, then check that
 * the model works with the app: /test and /predict must each return a Food-11 class.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseBaseUrl, UsageError } from "../args";
import { integrationFlags } from "../contract";
import { parseFlags } from "../flags";
import { FormData } from "undici";
import { httpRequest, TransportError } from "../http";
import { fail, GateResult, pass } from "../report";
import { parsePredictBody, parseTestBody, parseVersion, Parsed } from "./appResponses";

/** The JPEG the gate uploads to /predict (see assets/make_food_sample.py for its origin). */
export const defaultSample = path.join(__dirname, "..", "assets", "food-sample.jpg");

export interface IntegrationOptions {
    base: URL;
    expectVersion: string;
    waitS: number;
    timeoutMs: number;
    pollMs: number;
    sample: string;
}

export function parseIntegrationArgs(argv: readonly string[]): IntegrationOptions {
    const flags = parseFlags(integrationFlags, argv);
    return {
        base: parseBaseUrl("url", flags.url),
        expectVersion: flags.expectVersion.trim(),
        waitS: flags.waitS,
        timeoutMs: flags.timeoutMs,
        pollMs: flags.pollMs,
        sample: sampleFile(flags.sample ?? defaultSample),
    };
}

/** An upload is read whole into memory, so only a regular file of bounded size will do. */
export const maxSampleBytes = 10 * 1024 * 1024;

function sampleFile(file: string): string {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch {
        throw new UsageError(`--sample ${file} does not exist`);
    }
    if (!stat.isFile()) throw new UsageError(`--sample ${file} is not a regular file (an image to upload to /predict)`);
    if (stat.size === 0 || stat.size > maxSampleBytes) {
        throw new UsageError(`--sample ${file} is ${stat.size} bytes; an image of 1 byte to ${maxSampleBytes / 1024 / 1024} MiB is allowed`);
    }
    return file;
}

export interface CheckRecord {
    endpoint: string;
    ok: boolean;
    status: number | null;
    latencyMs: number | null;
    value: string | null;
    detail: string;
}

export interface IntegrationMetrics {
    url: string;
    expectedVersion: string;
    servedVersion: string | null;
    versionPolls: number;
    waitedS: number;
    checks: CheckRecord[];
}

function endpoint(base: URL, p: string): URL {
    const u = new URL(base.toString());
    u.pathname = `${u.pathname.replace(/\/+$/, "")}${p}`;
    return u;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function check(
    name: string,
    send: () => Promise<{ status: number; body: Buffer; latencyMs: number }>,
    parse: (status: number, body: string) => Parsed<string>,
): Promise<CheckRecord> {
    try {
        const res = await send();
        const parsed = parse(res.status, res.body.toString("utf8"));
        return parsed.ok
            ? { endpoint: name, ok: true, status: res.status, latencyMs: res.latencyMs, value: parsed.value, detail: `returned ${parsed.value}` }
            : { endpoint: name, ok: false, status: res.status, latencyMs: res.latencyMs, value: null, detail: parsed.reason };
    } catch (err) {
        const detail = err instanceof TransportError ? `${name}: ${err.message}` : `${name}: ${(err as Error).message}`;
        return { endpoint: name, ok: false, status: null, latencyMs: null, value: null, detail };
    }
}

export async function runIntegration(o: IntegrationOptions): Promise<GateResult<IntegrationMetrics>> {
    const m: IntegrationMetrics = {
        url: o.base.toString(),
        expectedVersion: o.expectVersion,
        servedVersion: null,
        versionPolls: 0,
        waitedS: 0,
        checks: [],
    };
    const started = performance.now();
    const deadline = started + o.waitS * 1000;
    let lastProblem: string;

    // 1. Wait for the rollout: the old pod keeps answering until the new one is serving.
    for (;;) {
        m.versionPolls++;
        const remaining = Math.max(1, deadline - performance.now());
        const record = await check(
            "/version",
            () => httpRequest({ url: endpoint(o.base, "/version"), timeoutMs: Math.min(o.timeoutMs, Math.max(1000, remaining)) }),
            parseVersion,
        );
        if (record.ok) {
            m.servedVersion = record.value;
            if (record.value === o.expectVersion) {
                m.checks.push({ ...record, detail: `serves model version ${record.value}` });
                break;
            }
            lastProblem = `stale version: the app still serves model version ${record.value} (expected ${o.expectVersion})`;
        } else {
            lastProblem = record.detail;
        }
        if (performance.now() + o.pollMs > deadline) {
            m.waitedS = Math.round(performance.now() - started) / 1000;
            m.checks.push({ ...record, ok: false, detail: lastProblem });
            return fail(`after waiting ${m.waitedS} s for version ${o.expectVersion}: ${lastProblem}`, m);
        }
        await sleep(o.pollMs);
    }
    m.waitedS = Math.round(performance.now() - started) / 1000;

    // 2. The app's own test image through the model.
    const test = await check("/test", () => httpRequest({ url: endpoint(o.base, "/test"), timeoutMs: o.timeoutMs }), parseTestBody);
    m.checks.push(test);
    if (!test.ok) return fail(test.detail, m);

    // 3. An upload the way a user sends one: multipart form field `file`.
    const image = fs.readFileSync(o.sample);
    const predict = await check(
        "/predict",
        () => {
            const form = new FormData();
            form.append("file", new Blob([image], { type: "image/jpeg" }), path.basename(o.sample));
            return httpRequest({ method: "POST", url: endpoint(o.base, "/predict"), body: form, timeoutMs: o.timeoutMs });
        },
        parsePredictBody,
    );
    m.checks.push(predict);
    if (!predict.ok) return fail(predict.detail, m);

    return pass(`model version ${o.expectVersion} is served; /test returned ${test.value}, /predict returned ${predict.value}`, m);
}

export function formatIntegrationSummary(r: GateResult<IntegrationMetrics>): string {
    const m = r.metrics;
    const lines = [`integration: ${m.url} expected version ${m.expectedVersion}, served ${m.servedVersion ?? "unknown"} (${m.versionPolls} polls, ${m.waitedS} s)`];
    for (const c of m.checks) lines.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.endpoint}: ${c.detail}${c.latencyMs !== null ? ` [${c.latencyMs} ms]` : ""}`);
    return lines.join("\n");
}

export async function integrationCommand(argv: readonly string[]) {
    const result = await runIntegration(parseIntegrationArgs(argv));
    return { result, summary: formatIntegrationSummary(result) };
}
