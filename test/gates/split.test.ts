/**
 * `gate split` against a loopback server answering /version the way the public address does
 * when Traefik splits it: production's version for most requests, canary's for its share.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSplitArgs, runSplit } from "../../pipeline/gates/split/command";
import { runCli } from "./cli-runner";

/** Which answer request number n gets; reset per test. */
let answer: (n: number) => { status: number; body: string };
let served = 0;
let server: http.Server;
let url: string;

const version = (v: string) => ({ status: 200, body: `{"model_version":"${v}"}\n` });
/** Every `every`-th request goes to canary (version 7), the rest to production (version 6). */
const share = (every: number) => (n: number) => (n % every === every - 1 ? version("7") : version("6"));

beforeAll(async () => {
    server = http.createServer((req, res) => {
        if (req.url !== "/version") return void res.writeHead(404).end("not found");
        const a = answer(served++);
        res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/version`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function split(extra: string[], pattern: (n: number) => { status: number; body: string }) {
    served = 0;
    answer = pattern;
    return runSplit(parseSplitArgs(["--url", url, "--canary-version", "7", ...extra]));
}

describe("gate split", () => {
    it("passes when canary answers its share, counting every version seen", async () => {
        const r = await split(["--expect-percent", "10", "--requests", "400"], share(10));
        expect(r.verdict, r.reason).toBe("pass");
        expect(r.metrics.byVersion).toEqual({ "6": 360, "7": 40 });
        expect(r.metrics.canaryPercent).toBe(10);
        expect(r.reason).toBe("canary (version 7) answered 10% of 400 requests, within 5 points of 10%; answers: 360x version 6, 40x version 7");
        expect(served).toBe(400);
    });

    it("fails when canary's share is more than the tolerance off", async () => {
        const r = await split(["--expect-percent", "10", "--requests", "300"], share(3));
        expect(r.verdict).toBe("fail");
        expect(r.reason).toContain("canary (version 7) answered 33.33% of 300 requests, 23.33 points from the expected 10% (tolerance 5)");
        const none = await split(["--expect-percent", "10", "--requests", "50"], () => version("6"));
        expect(none.reason).toContain("answered 0% of 50 requests, 10 points from the expected 10%");
    });

    it("passes a route turned off (0%) only when canary never answers", async () => {
        expect((await split(["--expect-percent", "0", "--tolerance", "0", "--requests", "20"], () => version("6"))).verdict).toBe("pass");
        expect((await split(["--expect-percent", "0", "--tolerance", "0", "--requests", "20"], share(20))).verdict).toBe("fail");
    });

    it("fails on requests without a version, naming the most common reason", async () => {
        const r = await split(["--expect-percent", "10", "--requests", "100"], (n) => (n % 10 === 0 ? { status: 502, body: "Bad Gateway" } : share(10)(n)));
        expect(r.verdict).toBe("fail");
        expect(r.reason).toContain("10 of 100 requests got no version (most often: /version answered HTTP 502: Bad Gateway)");
        expect(r.metrics.failures).toEqual({ "/version answered HTTP 502: Bad Gateway": 10 });
    });

    it("fails when nothing listens", async () => {
        const r = await runSplit(parseSplitArgs(["--url", "http://127.0.0.1:9/version", "--canary-version", "7", "--expect-percent", "10", "--requests", "3"]));
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/3 of 3 requests got no version \(most often: connection refused/);
    });

    it.each([
        [["--url", "http://127.0.0.1:9/", "--canary-version", "7", "--expect-percent", "10"], "--url must end in /version"],
        [["--url", "http://127.0.0.1:9/version", "--canary-version", "7"], "--expect-percent is required"],
        [["--url", "http://127.0.0.1:9/version", "--expect-percent", "10"], "--canary-version is required"],
        [["--url", "http://127.0.0.1:9/version", "--canary-version", "7", "--expect-percent", "10", "--requests", "0"], "--requests must be an integer >= 1 and <= 10000"],
    ])("exits 2 on bad usage %j", async (args, message) => {
        const r = await runCli(["split", ...args]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(message);
    });

    it("exits 0 and 1 as the workflow contract says, with a JSON report", async () => {
        served = 0;
        answer = share(10);
        const ok = await runCli(["split", "--url", url, "--canary-version", "7", "--expect-percent", "10", "--requests", "100"]);
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.report).toMatchObject({ command: "split", verdict: "pass", metrics: { byVersion: { "6": 90, "7": 10 } } });
        served = 0;
        answer = share(2);
        const bad = await runCli(["split", "--url", url, "--canary-version", "7", "--expect-percent", "10", "--requests", "100"]);
        expect(bad.code).toBe(1);
        expect(bad.report?.reason).toContain("answered 50% of 100 requests");
    }, 60_000);
});
