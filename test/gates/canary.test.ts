/**
 * `gate canary` against a loopback stand-in for Traefik's metrics entry point (the exposition
 * format Traefik v3 serves) and, for the override record, a real MLflow server. Traffic is added
 * between the two scrapes the way live requests would arrive during the window; traffic from
 * before the window is there too and must not count.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { traefikServiceMetricName } from "../../vocabulary/names";
import { overrideTags, parseCanaryArgs, runCanaryCheck } from "../../pipeline/gates/canary/command";
import { LocalMlflow, startMlflow } from "../support/mlflow-server";
import { ServedRequest, startTraefikMetrics, TraefikMetricsStandIn } from "../support/traefik-metrics-server";
import { runCli } from "./cli-runner";

const canary = traefikServiceMetricName("canary");
const production = traefikServiceMetricName("production");

let traefik: TraefikMetricsStandIn;
let mlflow: LocalMlflow;
let modelName: string;
let models = 0;

beforeAll(async () => {
    const [t, m] = await Promise.allSettled([startTraefikMetrics(), startMlflow()]);
    if (t.status === "fulfilled") traefik = t.value;
    if (m.status === "fulfilled") mlflow = m.value;
    for (const s of [t, m]) if (s.status === "rejected") throw s.reason;
}, 200_000);
afterAll(async () => {
    await Promise.all([traefik?.close(), mlflow?.stop()]);
});

beforeEach(async () => {
    traefik.served = [];
    traefik.override = undefined;
    traefik.beforeScrape = undefined;
    traefik.scrapes = 0;
    models++;
    modelName = `GourmetGramFood11Model-canary-${models}`;
    await mlflow.createModel(modelName);
    await mlflow.createVersion(modelName);
});

function requests(service: string, n: number, code: number, durationS: number): ServedRequest[] {
    return Array.from({ length: n }, () => ({ service, code, durationS }));
}

/** Traffic that arrives between the first and the second scrape. */
function duringWindow(...batches: ServedRequest[][]) {
    traefik.beforeScrape = (scrape) => {
        if (scrape === 1) for (const batch of batches) traefik.served.push(...batch);
    };
}

function argsFor(version: string, ...extra: string[]) {
    return ["--version", version, "--metrics-url", traefik.url, "--window-s", "1", "--mlflow-url", mlflow.url, "--model-name", modelName, ...extra];
}

const args = (...extra: string[]) => argsFor("1", ...extra);
const check = (...extra: string[]) => runCanaryCheck(parseCanaryArgs(args(...extra), {}));

async function versionTags(): Promise<Record<string, string>> {
    const r = await mlflow.api<{ model_version: { tags?: Array<{ key: string; value: string }> } }>("GET", "model-versions/get", { name: modelName, version: "1" });
    return Object.fromEntries((r.model_version.tags ?? []).map((t) => [t.key, t.value]));
}

describe("gate canary against Traefik's metrics", () => {
    it("passes a healthy canary on the window's traffic alone, with production's figures beside it", async () => {
        // Before the window canary failed badly; that history must not count.
        traefik.served.push(...requests(canary, 200, 503, 0.02));
        duringWindow(requests(canary, 48, 200, 0.08), requests(canary, 2, 404, 0.01), requests(production, 450, 200, 0.07));
        const r = await check();
        expect(r.verdict, r.reason).toBe("pass");
        expect(r.metrics.canary).toMatchObject({ service: canary, requests: 50, errors: 0, byCode: { "200": 48, "404": 2 } });
        expect(r.metrics.canary?.latency?.p95Ms).toBeLessThanOrEqual(100);
        expect(r.metrics.production?.requests).toBe(450);
        expect(r.reason).toMatch(/canary served 50 requests in the last 1 s: error rate 0% .*production over the same window: 450 requests/);
        expect(traefik.scrapes).toBe(2);
    });

    it("refuses a canary whose 5xx rate is above the threshold, with the figures", async () => {
        duringWindow(requests(canary, 35, 200, 0.08), requests(canary, 15, 503, 0.01), requests(production, 450, 200, 0.07));
        const r = await check();
        expect(r.verdict).toBe("fail");
        expect(r.reason).toContain("canary's error rate 30% in the last 1 s is above 5%: 15 of 50 requests answered 5xx (15x 503)");
        expect(r.reason).toContain("production over the same window: 450 requests, error rate 0%");
        expect(r.reason).toContain("To promote anyway, give override-by and override-reason");
        expect(r.metrics.check.ok).toBe(false);
    });

    it("refuses a slow canary on its p95 estimated from Traefik's buckets", async () => {
        duringWindow(requests(canary, 40, 200, 0.3), requests(canary, 10, 200, 2.6));
        const r = await check("--p95-ms", "2000");
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/canary's p95 latency ≈ 2\d{3}(\.\d+)? ms in the last 1 s is above 2000 ms \(in Traefik's 2000-3000 ms bucket, 50 requests measured\)/);
    });

    it("refuses a canary slower than Traefik's largest bucket, and cannot decide when that bucket is below the threshold", async () => {
        duringWindow(requests(canary, 50, 200, 12));
        const over = await check("--p95-ms", "2000");
        expect(over.reason).toContain("canary's p95 latency in the last 1 s is above 10000 ms, over the 2000 ms allowed");
        traefik.served = [];
        traefik.scrapes = 0;
        duringWindow(requests(canary, 50, 200, 12));
        const unknown = await check("--p95-ms", "20000");
        expect(unknown.verdict).toBe("fail");
        expect(unknown.reason).toContain("cannot decide: canary's p95 latency is above 10000 ms, Traefik's largest latency bucket");
    });

    it("cannot decide without traffic and refuses, saying what to do", async () => {
        traefik.served.push(...requests(canary, 500, 200, 0.05)); // old traffic only
        duringWindow(requests(production, 100, 200, 0.05));
        const r = await check();
        expect(r.verdict).toBe("fail");
        expect(r.reason).toContain("cannot decide: canary served no requests through the public address in the last 1 s (at least 20 needed)");
        expect(r.reason).toContain("send traffic to the app's public address");
    });

    it("cannot decide on too few requests", async () => {
        duringWindow(requests(canary, 5, 200, 0.05));
        const r = await check("--min-requests", "20");
        expect(r.reason).toContain("canary served only 5 requests");
    });

    it("cannot decide when Traefik restarted during the window (its counters went back)", async () => {
        traefik.served.push(...requests(canary, 100, 200, 0.05));
        traefik.beforeScrape = (scrape) => {
            if (scrape === 1) traefik.served = requests(canary, 30, 200, 0.05);
        };
        const r = await check();
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/cannot decide: could not read canary's traffic from Traefik: traefik_service_requests_total\{.*\} of .* went from 100 to 30: Traefik restarted/);
    });

    it("cannot decide when the metrics endpoint is down, answers an error, or is not Traefik's", async () => {
        traefik.override = { status: 503, body: "starting" };
        expect((await check()).reason).toMatch(/cannot decide: could not read canary's traffic from Traefik: .* answered HTTP 503/);

        traefik.override = { status: 200, body: "# HELP up\nup 1\n" };
        expect((await check()).reason).toContain("serves no traefik_ metrics: is it Traefik's metrics entry point?");

        traefik.override = { status: 200, body: 'traefik_service_requests_total{code="200" 3\n' };
        expect((await check()).reason).toMatch(/is not in Prometheus text format: line 1: /);

        const refused = await runCanaryCheck(parseCanaryArgs(["--version", "1", "--metrics-url", "http://127.0.0.1:9/metrics", "--window-s", "1", "--mlflow-url", mlflow.url], {}));
        expect(refused.verdict).toBe("fail");
        expect(refused.reason).toMatch(/cannot decide: could not read canary's traffic from Traefik: connection refused/);
    });

    it("promotes a refused canary on an explicit override and records who and why on the model version", async () => {
        duringWindow(requests(canary, 35, 200, 0.08), requests(canary, 15, 503, 0.01));
        const r = await check("--override-by", "ab1234", "--override-reason", "503s came from a planned MinIO restart");
        expect(r.verdict, r.reason).toBe("pass");
        expect(r.reason).toContain("promoted on override by ab1234 (503s came from a planned MinIO restart), recorded on model version 1");
        expect(r.metrics.override).toMatchObject({ by: "ab1234", recorded: true });
        const tags = await versionTags();
        expect(tags[overrideTags.by]).toBe("ab1234");
        expect(tags[overrideTags.reason]).toBe("503s came from a planned MinIO restart");
        expect(tags[overrideTags.refused]).toContain("canary's error rate 30%");
    });

    it("overrides a no-traffic refusal too, and records nothing when the check passes anyway", async () => {
        const none = await check("--override-by", "ab1234", "--override-reason", "demo cluster without users");
        expect(none.verdict).toBe("pass");
        expect((await versionTags())[overrideTags.refused]).toContain("cannot decide: canary served no requests");

        models++;
        modelName = `GourmetGramFood11Model-canary-${models}`;
        await mlflow.createModel(modelName);
        await mlflow.createVersion(modelName);
        traefik.scrapes = 0;
        duringWindow(requests(canary, 50, 200, 0.05));
        const healthy = await check("--override-by", "ab1234", "--override-reason", "just in case");
        expect(healthy.verdict).toBe("pass");
        expect(healthy.reason).toContain("the override was not needed and is not recorded");
        expect(await versionTags()).not.toHaveProperty(overrideTags.by);
    });

    it("does not promote on an override it cannot record", async () => {
        duringWindow(requests(canary, 50, 503, 0.01));
        const r = await runCanaryCheck(parseCanaryArgs(argsFor("99", "--override-by", "ab1234", "--override-reason", "known issue"), {}));
        expect(r.verdict).toBe("fail");
        expect(r.reason).toContain("the override by ab1234 could not be recorded in MLflow, so nothing is promoted: model version 99");
    });
});

describe("gate canary as the workflow runs it", () => {
    it("exits 0 with a JSON report on a healthy canary and 1 on a degraded one", async () => {
        duringWindow(requests(canary, 50, 200, 0.05));
        const ok = await runCli(["canary", ...args()]);
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.report).toMatchObject({ command: "canary", verdict: "pass" });
        expect(ok.report?.metrics.canary.requests).toBe(50);

        traefik.scrapes = 0;
        duringWindow(requests(canary, 50, 500, 0.05));
        const bad = await runCli(["canary", ...args()]);
        expect(bad.code).toBe(1);
        expect(bad.report?.reason).toContain("canary's error rate 100%");
        expect(bad.stderr).toContain("check: REFUSED");
    }, 60_000);

    it.each([
        [["--override-by", "ab1234"], "--override-by was given without --override-reason"],
        [["--override-reason", "why"], "--override-reason was given without --override-by"],
        [["--window-s", "0"], '--window-s must be an integer >= 1 and <= 3600, got "0"'],
        [["--max-error-rate", "5%"], "--max-error-rate must be a number >= 0 and <= 1 (decimal digits only)"],
        [["--metrics-url", "traefik:9100"], "--metrics-url must use http:// or https://"],
    ])("exits 2 on bad usage %j, naming the flag", async (extra, message) => {
        const r = await runCli(["canary", "--version", "1", ...extra]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it("exits 2 without a model version", async () => {
        const r = await runCli(["canary", "--metrics-url", "http://127.0.0.1:9/metrics"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("--version is required");
    });

    it("takes empty override parameters as no override, as the workflow passes them", () => {
        const o = parseCanaryArgs(["--version", "3", "--override-by", "", "--override-reason", ""], {});
        expect(o.override).toBeUndefined();
        expect(o.canaryService).toBe("gourmetgram-canary-gourmetgram-canary-8000@kubernetescrd");
        expect(o.metricsUrl.toString()).toBe("http://traefik-metrics.kube-system.svc.cluster.local:9100/metrics");
    });
});
