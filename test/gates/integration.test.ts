import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { food11Classes } from "../../vocabulary/names";
import { defaultSample, parseIntegrationArgs, runIntegration } from "../../pipeline/gates/integration/command";
import { parsePredictBody, parseTestBody, parseVersion } from "../../pipeline/gates/integration/appResponses";
import { AppServer, closedPort, healthyBehaviour, startAppServer } from "../support/app-server";
import { runCli } from "./cli-runner";

let app: AppServer;
beforeAll(async () => {
    app = await startAppServer();
});
afterAll(async () => {
    await app.close();
});

/** Runs the gate in-process with short waits; `extra` flags override the defaults below. */
function run(extra: string[] = []) {
    const flags = new Map([["--url", app.url], ["--expect-version", "7"], ["--wait-s", "1"], ["--poll-ms", "50"], ["--timeout-ms", "500"]]);
    for (let i = 0; i < extra.length; i += 2) flags.set(extra[i], extra[i + 1]);
    return runIntegration(parseIntegrationArgs([...flags].flat()));
}

describe("the sample image", () => {
    it("is a real JPEG the project ships", () => {
        const bytes = fs.readFileSync(defaultSample);
        expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
        expect(bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
        expect(bytes.length).toBeLessThan(64 * 1024);
    });
});

describe("reading the app's answers", () => {
    it("reads /version JSON, numbers included", () => {
        expect(parseVersion(200, '{"model_version": "12"}')).toEqual({ ok: true, value: "12" });
        expect(parseVersion(200, '{"model_version": 12}')).toEqual({ ok: true, value: "12" });
        expect(parseVersion(404, '{"error": "versions.txt not found"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/HTTP 404/) });
        expect(parseVersion(502, "<html><title>502 Bad Gateway</title></html>")).toMatchObject({ reason: expect.stringMatching(/HTML page \(HTTP 502\)/) });
        expect(parseVersion(200, "7")).toMatchObject({ ok: false, reason: expect.stringMatching(/no "model_version"/) });
        expect(parseVersion(200, "{}")).toMatchObject({ reason: expect.stringMatching(/no "model_version"/) });
        expect(parseVersion(200, "v7")).toMatchObject({ reason: expect.stringMatching(/did not return JSON/) });
    });
    it("accepts exactly the 11 Food-11 classes from /test", () => {
        for (const c of food11Classes) expect(parseTestBody(200, c)).toEqual({ ok: true, value: c });
        expect(parseTestBody(200, "Pizza")).toMatchObject({ reason: expect.stringMatching(/"Pizza", which is not one of the 11 Food-11 classes/) });
        expect(parseTestBody(200, "bread")).toMatchObject({ ok: false });
        expect(parseTestBody(200, "None")).toMatchObject({ reason: expect.stringMatching(/no prediction/) });
    });
    it("reads the class from /predict's HTML fragment (or JSON)", () => {
        expect(parsePredictBody(200, '<button type="button" class="btn btn-info btn-sm">Noodles/Pasta</button>')).toEqual({ ok: true, value: "Noodles/Pasta" });
        expect(parsePredictBody(200, '{"prediction": "Soup", "probability": 0.9}')).toEqual({ ok: true, value: "Soup" });
        expect(parsePredictBody(200, '<a href="#" class="badge badge-warning">Warning</a>')).toMatchObject({ reason: expect.stringMatching(/warning badge/) });
        expect(parsePredictBody(200, "<button>Tacos</button>")).toMatchObject({ reason: expect.stringMatching(/"Tacos"/) });
        expect(parsePredictBody(200, "hello")).toMatchObject({ reason: expect.stringMatching(/something other than a prediction/) });
    });
});

describe("integration gate against the app-shaped server", () => {
    it("passes when the expected version serves and both endpoints return a class", async () => {
        app.set(healthyBehaviour);
        const r = await run();
        expect(r.verdict).toBe("pass");
        expect(r.reason).toBe("model version 7 is served; /test returned Rice, /predict returned Rice");
        expect(r.metrics.checks.map((c) => c.endpoint)).toEqual(["/version", "/test", "/predict"]);
        // The upload is the shipped JPEG in the form field the app reads.
        const upload = app.uploads.at(-1)!.toString("latin1");
        expect(upload).toMatch(/name="file"; filename="food-sample.jpg"/);
        expect(upload).toMatch(/Content-Type: image\/jpeg/i);
    });

    it("waits for the rollout: passes once the new version starts serving", async () => {
        app.set({ ...healthyBehaviour, version: "6" });
        setTimeout(() => app.set({ version: "7" }), 300);
        const r = await run(["--wait-s", "5"]);
        expect(r.verdict).toBe("pass");
        expect(r.metrics.versionPolls).toBeGreaterThan(1);
    });

    it("fails on a stale version after the wait, naming both versions", async () => {
        app.set({ ...healthyBehaviour, version: "6" });
        const r = await run(["--wait-s", "0.3"]);
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/stale version: the app still serves model version 6 \(expected 7\)/);
        expect(r.metrics.servedVersion).toBe("6");
    });

    it("fails on a wrong class from /test", async () => {
        app.set({ ...healthyBehaviour, className: "Pizza" });
        const r = await run();
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/\/test returned "Pizza", which is not one of the 11 Food-11 classes/);
    });

    it("fails on an HTML error page", async () => {
        app.set({ ...healthyBehaviour, htmlError: true });
        const r = await run();
        expect(r.reason).toMatch(/^\/test returned an HTML error page \(HTTP 500\): the app raised while classifying with this model/);
        expect(r.reason).toMatch(/expects \[1, 11\] class scores .* check the model's architecture/);
    });

    it("fails on a 5xx", async () => {
        app.set({ ...healthyBehaviour, errorEvery: 1 });
        const r = await run(["--wait-s", "0.2"]);
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/\/version answered HTTP 503/);
    });

    it("fails when /predict produces no prediction", async () => {
        app.set({ ...healthyBehaviour, warningBadge: true });
        const r = await run();
        expect(r.reason).toMatch(/\/predict answered its warning badge/);
    });

    it("fails on a hanging app with a timeout reason", async () => {
        app.set({ ...healthyBehaviour, hang: true });
        const r = await run(["--wait-s", "0.2", "--timeout-ms", "200"]);
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/no answer in time/);
    });

    it("fails on an unreachable app", async () => {
        const port = await closedPort();
        const r = await runIntegration(parseIntegrationArgs(["--url", `http://127.0.0.1:${port}`, "--expect-version", "7", "--wait-s", "0.2", "--poll-ms", "50"]));
        expect(r.reason).toMatch(/connection refused/);
    });

    it("rejects bad flags", () => {
        expect(() => parseIntegrationArgs(["--url", app.url])).toThrow(/--expect-version is required/);
        expect(() => parseIntegrationArgs(["--url", app.url, "--expect-version", "7", "--wait-s=-1"])).toThrow(/--wait-s must be a number >= 0/);
        // A separate value that starts with "-" reads like a flag: the message says how to write it.
        expect(() => parseIntegrationArgs(["--url", app.url, "--expect-version", "7", "--wait-s", "-1"])).toThrow(/--wait-s needs a value; one that starts with "-" is written --wait-s=-1/);
        expect(() => parseIntegrationArgs(["--url", app.url, "--expect-version", "7", "--sample", "/nonexistent.jpg"])).toThrow(/does not exist/);
    });
});

describe("integration gate as a subprocess", () => {
    it("exits 0 on pass and 1 on fail, with the reason in the report", async () => {
        app.set(healthyBehaviour);
        const ok = await runCli(["integration", "--url", app.url, "--expect-version", "7", "--wait-s", "2"]);
        expect(ok.code).toBe(0);
        expect(ok.report!.metrics.checks).toHaveLength(3);
        app.set({ ...healthyBehaviour, className: "Burger" });
        const bad = await runCli(["integration", "--url", app.url, "--expect-version", "7", "--wait-s", "2"]);
        expect(bad.code).toBe(1);
        expect(bad.report!.reason).toMatch(/"Burger"/);
        const usage = await runCli(["integration", "--url", app.url]);
        expect(usage.code).toBe(2);
    });
});
