import { describe, expect, it } from "vitest";
import { appServiceUrl } from "../../../vocabulary/names";
import { revertStaging } from "../../../pipeline/templates/release";
import { testStaging } from "../../../pipeline/templates/test-staging";
import { trainMemoryLimit, trainModel } from "../../../pipeline/templates/train-model";
import { settings } from "./fixtures";

/** The arguments a template passes to the gate image's `command`, from its container spec. */
function gateArgs(templates: { name?: string; container?: { args?: string[] } }[], command: string): string[] {
    const found = templates.find((t) => t.container?.args?.[0] === command);
    if (!found?.container?.args) throw new Error(`no template runs the gate command ${command}`);
    return found.container.args;
}

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("what the gate steps are asked to measure", () => {
    it("loads staging's inference endpoint, not its index page", () => {
        const args = gateArgs(testStaging(settings).spec.templates as never, "load");
        expect(flag(args, "--url")).toBe(`${appServiceUrl("staging")}/test`);
        expect(flag(args, "--p95-ms")).toBe(String(settings.thresholds.loadP95Ms));
        expect(flag(args, "--min-success-rate")).toBe(String(settings.thresholds.loadMinSuccessRate));
    });

    it("has the load gate check staging's app pods across the load, with the resource gate's selector", () => {
        const templates = testStaging(settings).spec.templates as never;
        const load = gateArgs(templates, "load");
        const resources = gateArgs(templates, "resources");
        expect(flag(load, "--namespace")).toBe("gourmetgram-staging");
        expect(flag(load, "--selector")).toBe(flag(resources, "--selector"));
    });

    it("sizes the oversized model from staging's memory limit and gives training room to hold it twice", () => {
        const train = trainModel(settings).spec.templates!.find((t) => t.name === "train")!.container!;
        expect(flag(train.args!, "--app-memory-limit")).toBe(settings.stagingAppLimits.memory);
        expect(trainMemoryLimit("256Mi")).toBe("3072Mi");
        expect(trainMemoryLimit("1Gi")).toBe("4096Mi");
        expect(trainMemoryLimit("2Gi")).toBe("8192Mi");
        expect(train.resources!.limits!.memory).toBe(trainMemoryLimit(settings.stagingAppLimits.memory));
    });

    it("gives the resource gate, which runs first, the rollout wait staging is allowed", () => {
        const args = gateArgs(testStaging(settings).spec.templates as never, "resources");
        expect(flag(args, "--wait-s")).toBe(String(settings.thresholds.versionWaitSeconds));
        expect(flag(args, "--namespace")).toBe("gourmetgram-staging");
    });

    it("reverts staging naming the rejected version, so the reason is recorded on it", () => {
        const args = gateArgs(revertStaging(settings).spec.templates as never, "revert");
        expect(flag(args, "--env")).toBe("staging");
        expect(flag(args, "--failed-version")).toBe("{{inputs.parameters.version}}");
        expect(flag(args, "--reason")).toContain("failed staging: {{inputs.parameters.reason}}");
    });
});
