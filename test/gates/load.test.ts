import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoad } from "../../pipeline/gates/load/engine";
import { judgeLoad, loadMetrics, parseLoadArgs, LoadOptions } from "../../pipeline/gates/load/command";
import { totalAttempts } from "../../pipeline/gates/load/outcomes";
import { percentile, summarize } from "../../pipeline/gates/load/stats";
import { UsageError } from "../../pipeline/gates/args";
import { AppServer, closedPort, healthyBehaviour, startAppServer } from "../support/app-server";
import { runCli } from "./cli-runner";

let app: AppServer;
beforeAll(async () => {
    app = await startAppServer();
});
afterAll(async () => {
    await app.close();
});

function options(args: string[]): LoadOptions {
    return parseLoadArgs(["--url", `${app.url}/test`, ...args]);
}

async function gate(args: string[]) {
    const o = options(args);
    const run = await runLoad(o);
    const m = loadMetrics(o, run);
    return { run, m, verdict: judgeLoad(m, run.stoppedBy) };
}

describe("percentiles", () => {
    it("uses nearest rank over exact samples", () => {
        const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
        expect(percentile(sorted, 50)).toBe(50);
        expect(percentile(sorted, 95)).toBe(95);
        expect(percentile(sorted, 99)).toBe(99);
        expect(percentile(sorted, 100)).toBe(100);
        expect(percentile(Float64Array.of(7), 95)).toBe(7);
    });
    it("keeps sub-millisecond resolution", () => {
        const s = summarize(Float64Array.of(0.1234, 0.5678, 0.9))!;
        expect(s.min).toBe(0.123);
        expect(s.max).toBe(0.9);
        expect(summarize(new Float64Array(0))).toBeUndefined();
    });
});

describe("load flags", () => {
    it("applies the documented defaults", () => {
        const o = options([]);
        expect([o.requests, o.concurrency, o.rate, o.timeoutMs, o.p95Ms, o.minSuccessRate]).toEqual([100, 10, undefined, 10000, 2000, 0.95]);
    });
    it.each([
        [["--requests", "0"], /--requests must be an integer >= 1/],
        [["--requests", "2000001"], /<= 1000000/],
        [["--concurrency", "1.5"], /--concurrency must be an integer/],
        [["--rate", "0"], /--rate must be a number > 0/],
        [["--min-success-rate", "1.2"], /--min-success-rate must be a number >= 0 and <= 1/],
        [["--p95-ms", "abc"], /--p95-ms must be a number > 0 \(decimal digits only\), got "abc"/],
        [["--timeout-ms", "-5"], /--timeout-ms/],
        [["--bogus", "1"], /unknown flag --bogus; allowed: --url/],
        [["--requests"], /--requests needs a value/],
    ])("rejects %j", (args, message) => {
        expect(() => options(args)).toThrow(UsageError);
        expect(() => options(args)).toThrow(message);
    });
    it("needs --url, and only http(s)", () => {
        expect(() => parseLoadArgs([])).toThrow(/--url is required/);
        expect(() => parseLoadArgs(["--url", "ftp://x/"])).toThrow(/http:\/\/ or https:\/\//);
        expect(() => parseLoadArgs(["--url", "not a url"])).toThrow(/absolute http/);
    });
});

describe("load gate against the app-shaped server", () => {
    it("passes a healthy server and counts every attempt as a success", async () => {
        app.set(healthyBehaviour);
        const { m, verdict } = await gate(["--requests", "300", "--concurrency", "10"]);
        expect(verdict.verdict).toBe("pass");
        expect(m.attempts).toBe(300);
        expect(m.outcomes.success).toBe(300);
        expect(m.successRate).toBe(1);
        expect(m.latencyMs!.p95).toBeGreaterThan(0);
        expect(m.requestsPerSecond).toBeGreaterThan(0);
        expect(m.generatorCpuS).toBeGreaterThan(0);
    });

    it("counts 503s by status, and fails below the success-rate threshold", async () => {
        app.set({ ...healthyBehaviour, errorEvery: 10 });
        const { m, verdict } = await gate(["--requests", "200", "--concurrency", "4"]);
        expect(m.outcomes.nonSuccessByStatus).toEqual({ "503": 20 });
        expect(m.outcomes.success).toBe(180);
        expect(totalAttempts(m.outcomes)).toBe(200);
        expect(verdict.verdict).toBe("fail");
        expect(verdict.reason).toMatch(/success rate 90% is below 95% \(20x HTTP 503\)/);
        const lenient = await gate(["--requests", "200", "--concurrency", "4", "--min-success-rate", "0.85"]);
        expect(lenient.verdict.verdict).toBe("pass");
    });

    it("counts reset connections separately, never as successes or lost", async () => {
        app.set({ ...healthyBehaviour, resetEvery: 5 });
        const { m, verdict } = await gate(["--requests", "100", "--concurrency", "5"]);
        expect(m.outcomes.reset).toBe(20);
        expect(m.outcomes.success).toBe(80);
        expect(totalAttempts(m.outcomes)).toBe(100);
        expect(verdict.reason).toMatch(/20x connection reset/);
    });

    it("counts a hanging server as timeouts and fails", async () => {
        app.set({ ...healthyBehaviour, hang: true });
        const { m, verdict } = await gate(["--requests", "6", "--concurrency", "3", "--timeout-ms", "200"]);
        expect(m.outcomes.timeout).toBe(6);
        expect(m.attempts).toBe(6);
        expect(verdict.verdict).toBe("fail");
        expect(verdict.reason).toMatch(/6x timeout/);
    });

    it("counts a 2xx that arrives after the timeout as a timeout", async () => {
        app.set({ ...healthyBehaviour, baseDelayMs: 150 });
        const { m } = await gate(["--requests", "4", "--concurrency", "2", "--timeout-ms", "100"]);
        expect(m.outcomes.timeout).toBe(4);
        expect(m.outcomes.success).toBe(0);
    });

    it("fails on a slow tail above the p95 threshold", async () => {
        app.set({ ...healthyBehaviour, slowEvery: 10, slowMs: 120 });
        const { m, verdict } = await gate(["--requests", "100", "--concurrency", "5", "--p95-ms", "80"]);
        expect(m.successRate).toBe(1);
        // Server timers may fire a fraction of a millisecond early, so the bound keeps a margin.
        expect(m.latencyMs!.p95).toBeGreaterThan(110);
        expect(m.latencyMs!.p50).toBeLessThan(80);
        expect(verdict.verdict).toBe("fail");
        expect(verdict.reason).toMatch(/p95 latency .* ms exceeds 80 ms/);
    });

    it("backs off on a refused port and stops instead of spinning", async () => {
        const port = await closedPort();
        const o = parseLoadArgs(["--url", `http://127.0.0.1:${port}/`, "--requests", "1000", "--concurrency", "10"]);
        const run = await runLoad({ ...o, refusedGiveUpMs: 600 });
        const m = loadMetrics(o, run);
        expect(run.stoppedBy).toBe("refused");
        // Backoff: one probe at a time, 50 ms doubling; 600 ms allows only a handful after the first wave.
        expect(m.outcomes.refused).toBeLessThan(25);
        expect(m.outcomes.refused).toBe(m.attempts);
        expect(m.notAttempted).toBe(1000 - m.attempts);
        const v = judgeLoad(m, run.stoppedBy);
        expect(v.verdict).toBe("fail");
        expect(v.reason).toMatch(/kept refusing connections/);
    });

    it("stops at the time limit and fails, reporting what was not attempted", async () => {
        app.set({ ...healthyBehaviour, baseDelayMs: 50 });
        const o = options(["--requests", "1000", "--concurrency", "1"]);
        const run = await runLoad({ ...o, maxDurationMs: 300 });
        const m = loadMetrics(o, run);
        expect(run.stoppedBy).toBe("time-limit");
        expect(m.attempts).toBeLessThan(20);
        expect(m.attempts + m.notAttempted).toBe(1000);
        expect(judgeLoad(m, run.stoppedBy).reason).toMatch(/time limit reached: only \d+ of 1000/);
    });

    it("open loop measures latency from the scheduled start (no coordinated omission)", async () => {
        // One connection, 20 ms per answer, 100 requests/s scheduled: the queue grows by
        // 10 ms per request, and the measured latency must show it.
        app.set({ ...healthyBehaviour, baseDelayMs: 20 });
        const open = await gate(["--requests", "30", "--concurrency", "1", "--rate", "100"]);
        const closed = await gate(["--requests", "30", "--concurrency", "1"]);
        expect(open.m.mode).toBe("open-loop");
        expect(open.m.outcomes.success).toBe(30);
        expect(closed.m.latencyMs!.p50).toBeLessThan(100);
        expect(open.m.latencyMs!.max).toBeGreaterThan(250);
        expect(open.m.latencyMs!.p50).toBeGreaterThan(closed.m.latencyMs!.p50 * 3);
    });

    it("open loop paces requests at the rate", async () => {
        app.set(healthyBehaviour);
        const { m } = await gate(["--requests", "50", "--concurrency", "5", "--rate", "200"]);
        expect(m.attempts).toBe(50);
        expect(m.durationS).toBeGreaterThanOrEqual(0.24);
    });
});

describe("load gate as a subprocess", () => {
    it("exits 0 with a pass report, 1 with a fail report, 2 on a bad flag", async () => {
        app.set(healthyBehaviour);
        const ok = await runCli(["load", "--url", `${app.url}/test`, "--requests", "50"]);
        expect(ok.code).toBe(0);
        expect(ok.report!.verdict).toBe("pass");
        expect(ok.report!.metrics.outcomes.success).toBe(50);
        expect(ok.report!.metrics.latencyMs.p99).toBeGreaterThan(0);
        expect(ok.stderr).toMatch(/gate load: PASS/);
        expect(ok.stdout).toBe("");

        app.set({ ...healthyBehaviour, errorEvery: 2 });
        const bad = await runCli(["load", "--url", `${app.url}/test`, "--requests", "50"]);
        expect(bad.code).toBe(1);
        expect(bad.report!.verdict).toBe("fail");
        expect(bad.report!.reason).toMatch(/25x HTTP 503/);

        const usage = await runCli(["load", "--url", `${app.url}/test`, "--concurrency", "zero"]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/--concurrency must be an integer >= 1 and <= 10000 \(decimal digits only\), got "zero"/);
        expect(usage.report).toBeUndefined();
    });
});
