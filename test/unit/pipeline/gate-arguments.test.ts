import { describe, expect, it } from "vitest";
import { appServiceUrl } from "../../../vocabulary/names";
import { parseLoadArgs } from "../../../pipeline/gates/load/command";
import { parseResourcesArgs } from "../../../pipeline/gates/resources/command";
import { parseRevertArgs } from "../../../pipeline/gates/release/revert";
import { revertStaging } from "../../../pipeline/templates/release";
import { testStaging } from "../../../pipeline/templates/test-staging";
import { trainMemoryLimit, trainModel } from "../../../pipeline/templates/train-model";
import { settings } from "./fixtures";

/** The arguments a template passes to the gate image's `command`, after the command name. */
function gateArgs(templates: { name?: string; container?: { args?: string[] } }[], command: string): string[] {
    const found = templates.find((t) => t.container?.args?.[0] === command);
    if (!found?.container?.args) throw new Error(`no template runs the gate command ${command}`);
    return found.container.args.slice(1);
}

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("what the gate steps are asked to measure, as the CLI reads it", () => {
    const templates = testStaging(settings).spec.templates as never;

    it("loads staging's inference endpoint, not its index page", () => {
        const load = parseLoadArgs(gateArgs(templates, "load"));
        expect(load.url.toString()).toBe(`${appServiceUrl("staging")}/test`);
        expect(load.p95Ms).toBe(settings.thresholds.loadP95Ms);
        expect(load.minSuccessRate).toBe(settings.thresholds.loadMinSuccessRate);
        expect(load.timeoutMs).toBe(settings.thresholds.loadRequestTimeoutMs);
        expect(load.rate).toBeUndefined();
    });

    it("caps the load's rate only when the stack sets one", () => {
        const capped = testStaging({ ...settings, thresholds: { ...settings.thresholds, loadRatePerSecond: 20 } }).spec.templates as never;
        expect(parseLoadArgs(gateArgs(capped, "load")).rate).toBe(20);
    });

    it("has the load gate check staging's app pods across the load, with the resource gate's selector", () => {
        const load = parseLoadArgs(gateArgs(templates, "load"));
        const resources = parseResourcesArgs(gateArgs(templates, "resources"));
        expect(load.pods).toEqual({ namespace: "gourmetgram-staging", selector: resources.selector });
    });

    it("gives the resource gate, which runs first, the rollout wait staging is allowed", () => {
        const resources = parseResourcesArgs(gateArgs(templates, "resources"));
        expect(resources.waitS).toBe(settings.thresholds.versionWaitSeconds);
        expect(resources.maxMemoryRatio).toBe(settings.thresholds.maxMemoryRatio);
        expect(resources.namespace).toBe("gourmetgram-staging");
    });

    it("reverts staging naming the rejected version, so the reason is recorded on it", () => {
        const args = gateArgs(revertStaging(settings).spec.templates as never, "revert");
        const revert = parseRevertArgs(
            args.map((a) => a.replaceAll("{{inputs.parameters.version}}", "7").replaceAll("{{inputs.parameters.reason}}", "load gate Failed")),
            {},
        );
        expect(revert).toMatchObject({ env: "staging", failedVersion: "7", reason: "model version 7 failed staging: load gate Failed" });
    });
});

describe("what training is asked to do", () => {
    it("sizes the oversized model from staging's memory limit and gives training room to hold it twice", () => {
        const train = trainModel(settings).spec.templates!.find((t) => t.name === "train")!.container!;
        expect(flag(train.args!, "--app-memory-limit")).toBe(settings.stagingAppLimits.memory);
        expect(trainMemoryLimit("256Mi")).toBe("3072Mi");
        expect(trainMemoryLimit("1Gi")).toBe("4096Mi");
        expect(trainMemoryLimit("2Gi")).toBe("8192Mi");
        expect(train.resources!.limits!.memory).toBe(trainMemoryLimit(settings.stagingAppLimits.memory));
    });
});
