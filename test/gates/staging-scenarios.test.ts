/**
 * The pipeline's happy path and its two failure scenarios against the app as staging runs it:
 * the app stand-in on the app's own torch, serving each scenario's model as training saves it,
 * inside a cgroup with the memory and CPU limits the program gives staging by default, gated by
 * the gate CLI with test-staging's own arguments, in test-staging's order (the cgroup's OOM-kill
 * count stands in for the resource gate, which needs a kubelet). Loopback only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { food11Classes } from "../../vocabulary/names";
import { appPythons, buildScenarioModels, requirePython, Standin } from "../support/app-standin";
import { gateCommandLine } from "../../pipeline/gates/contract";
import { stagingPlan } from "../support/staging-plan";
import { runCli } from "./cli-runner";

const plan = stagingPlan();
/** test-staging waits 300 s for a rollout; the stand-in starts in seconds, or never. */
const versionWaitS = 120;
let dir: string;
let running: Standin | undefined;

beforeAll(() => {
    requirePython(appPythons.app);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "staging-scenarios-"));
    buildScenarioModels(dir, plan.trainAppMemoryLimit, ["normal", "bad-architecture", "oversized"]);
}, 900_000);

afterAll(async () => {
    await running?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(scenario: string): Promise<Standin> {
    // The highest CPU weight: the app gets the CPU its limit allows even while other suites run
    // beside this one, as staging's pod does on a node with room; the quota is still the limit.
    running = await Standin.start({
        python: appPythons.app,
        modelFile: path.join(dir, `${scenario}.pth`),
        modelVersion: "7",
        limits: plan.limits,
        maxRestarts: 2,
        firstClaimOnCpu: true,
    });
    return running;
}

async function stop(): Promise<void> {
    await running?.stop();
    running = undefined;
}

function integration(standin: Standin) {
    return runCli([...gateCommandLine("integration", { ...plan.integration, url: standin.url, expectVersion: "7", waitS: versionWaitS })], {}, (versionWaitS + 120) * 1000);
}

describe(`staging's gates against the app under staging's default limits (${plan.limits.memory}, ${plan.limits.cpu} CPU)`, () => {
    it("normal: passes integration and the load gate, answers one image the same way twice, and is never OOM-killed", async () => {
        const standin = await serve("normal");
        try {
            const integrated = await integration(standin);
            expect(integrated.report?.reason, standin.log).toMatch(/^model version 7 is served/);
            expect(integrated.code).toBe(0);

            const answers: string[] = [];
            for (let i = 0; i < 2; i++) answers.push(await (await fetch(`${standin.url}/test`, { signal: AbortSignal.timeout(30_000) })).text());
            expect(food11Classes).toContain(answers[0]);
            expect(answers[1]).toBe(answers[0]);

            const load = await runCli([...gateCommandLine("load", { ...plan.load, url: `${standin.url}/test` })], {}, 900_000);
            expect(load.report?.reason, load.stderr).toMatch(/^success rate/);
            expect(load.code).toBe(0);
            expect(load.report!.metrics.concurrency).toBe(plan.loadConcurrency);
            expect(standin.cgroup.oomKills()).toBe(0);
            expect(standin.starts).toBe(1);
        } finally {
            await stop();
        }
    }, 1_200_000);

    it("bad-architecture: fails integration with the reason a student can act on", async () => {
        const standin = await serve("bad-architecture");
        try {
            const integrated = await integration(standin);
            expect(integrated.code).toBe(1);
            expect(integrated.report!.reason).toMatch(/^\/test returned an HTML error page \(HTTP 500\): the app raised while classifying with this model/);
            expect(integrated.report!.reason).toMatch(/\[1, 11, 7, 7\] score map/);
            expect(standin.cgroup.oomKills()).toBe(0);
            expect(standin.log).toMatch(/a Tensor with 49 elements cannot be converted to Scalar/);
        } finally {
            await stop();
        }
    }, 600_000);

    it("oversized: is OOM-killed at every start, so the gates fail", async () => {
        const standin = await serve("oversized");
        try {
            const integrated = await integration(standin);
            expect(integrated.code).toBe(1);
            expect(integrated.report!.reason).toMatch(/^after waiting [0-9.]+ s for version 7: .*(refused|reset)/i);
            expect(standin.exits.length).toBeGreaterThan(0);
            expect(standin.exits.every((e) => e.oomKilled && e.signal === "SIGKILL"), JSON.stringify(standin.exits)).toBe(true);
            expect(standin.cgroup.oomKills()).toBeGreaterThanOrEqual(standin.exits.length);
        } finally {
            await stop();
        }
    }, 600_000);
});
