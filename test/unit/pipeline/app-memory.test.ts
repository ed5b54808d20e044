import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../infra/config/errors";
import { loadStackConfig } from "../../../infra/config/load";
import { defaultAppResources } from "../../../vocabulary/names";
import { parseMemoryBytes } from "../../../vocabulary/quantities";
import { platformConfig } from "../../../infra/platform/config";
import { appMemoryFitsItsTraffic, appMemoryNeedMiB, normalModelMemory, smallestAppMemoryLimitMiB } from "../../../pipeline/app-memory";
import { pipelineConfig } from "../../../pipeline/config";

const required = { "gourmetgram:appChartRepoUrl": "https://example.com/gourmetgram/chart.git" };

function load(raw: Record<string, string>) {
    return loadStackConfig("gourmetgram", { ...required, ...raw }, { platform: platformConfig, pipeline: pipelineConfig }, [appMemoryFitsItsTraffic]);
}

function problems(raw: Record<string, string>): string {
    try {
        load(raw);
    } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
    }
    return "";
}

const resources = (overrides: object) => ({ "gourmetgram:appResources": JSON.stringify(overrides) });

describe("app memory against the traffic each environment gets", () => {
    it("accepts the defaults, with the stated margin at the default concurrency", () => {
        expect(() => load({})).not.toThrow();
        const limitMiB = parseMemoryBytes(defaultAppResources.limits.memory)! / 2 ** 20;
        expect(appMemoryNeedMiB(10) / limitMiB).toBeLessThanOrEqual(normalModelMemory.maxShareOfLimit);
    });

    it("refuses a staging limit the load gate's own requests would exceed, naming the key, the need and the fix", () => {
        const message = problems(resources({ staging: { limits: { memory: "256Mi" }, requests: { memory: "128Mi" } } }));
        expect(message).toContain("gourmetgram:appResources");
        expect(message).toMatch(
            /staging\.limits\.memory 256Mi is too small for the normal model under the load gate's 10 concurrent requests \(gateLoadConcurrency\): the app needs about \d+Mi .*set staging\.limits\.memory to at least \d+Mi, or lower gourmetgram:gateLoadConcurrency/,
        );
        expect(message).not.toMatch(/canary|production/);
    });

    it("follows the configured concurrency", () => {
        const smallest = smallestAppMemoryLimitMiB(30);
        expect(smallest).toBeGreaterThan(1024);
        expect(problems({ "gourmetgram:gateLoadConcurrency": "30" })).toContain(`set staging.limits.memory to at least ${smallest}Mi`);
        expect(problems({ "gourmetgram:gateLoadConcurrency": "30", ...resources({ staging: { limits: { memory: `${smallest}Mi` } } }) })).toBe("");
        expect(problems({ "gourmetgram:gateLoadConcurrency": "2", ...resources({ staging: { limits: { memory: "640Mi" }, requests: { memory: "256Mi" } } }) })).toBe("");
    });

    it("holds canary and production to one request at a time", () => {
        const message = problems(resources({ production: { limits: { memory: "256Mi" }, requests: { memory: "128Mi" } } }));
        expect(message).toMatch(/production\.limits\.memory 256Mi is too small for the normal model under one request at a time: .*at least \d+Mi$/m);
        expect(message).not.toMatch(/gateLoadConcurrency/);
    });
});
