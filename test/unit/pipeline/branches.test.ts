import { describe, expect, it } from "vitest";
import { simulateSteps, type Phase } from "../../support/workflow-check/simulate";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { testStagingSteps as s } from "../../../pipeline/templates/test-staging";
import { settings } from "./fixtures";

const all = pipelineWorkflowTemplates(settings);
const entry = (name: string) => {
    const wt = all.find((t) => t.metadata.name === name)!;
    return wt.spec.templates!.find((t) => t.name === wt.spec.entrypoint)!;
};
const gates = entry("test-staging");
const run = (outcomes: Record<string, Phase>) => {
    const result = simulateSteps(gates, outcomes);
    return { ran: [...result.ran.keys()], phase: result.phase, skipped: result.skipped };
};
const reverts = [s.revertRollOut, s.revertResources, s.revertIntegration, s.revertLoad];

describe("test-staging branches", () => {
    it("all gates pass: mark v last-good, then promote to canary; no revert", () => {
        const { ran, phase } = run({});
        expect(ran).toEqual([s.rollOut, s.resources, s.integration, s.load, s.markGood, s.promote]);
        expect(phase).toBe("Succeeded");
    });

    it.each(["Failed", "Error"] as const)("resource gate %s (an OOMKilled or crashing model, incl. a gate crash or timeout): later gates skipped, revert with its report", (outcome) => {
        const { ran, skipped } = run({ [s.resources]: outcome });
        expect(ran).toEqual([s.rollOut, s.resources, s.revertResources]);
        expect(skipped).toEqual(expect.arrayContaining([s.integration, s.load, s.markGood, s.promote]));
        const step = gates.steps!.flat().find((x) => x.name === s.revertResources)!;
        expect(step.arguments!.parameters!.find((p) => p.name === "reason")!.value).toContain("{{steps.resource-gate.outputs.parameters.report}}");
    });

    it.each(["Failed", "Error"] as const)("integration gate %s (a model the app cannot use): load skipped, revert with its report", (outcome) => {
        const { ran, skipped } = run({ [s.integration]: outcome });
        expect(ran).toEqual([s.rollOut, s.resources, s.integration, s.revertIntegration]);
        expect(skipped).toEqual(expect.arrayContaining([s.load, s.markGood, s.promote]));
        const step = gates.steps!.flat().find((x) => x.name === s.revertIntegration)!;
        expect(step.arguments!.parameters!.find((p) => p.name === "reason")!.value).toContain("{{steps.integration-gate.outputs.parameters.report}}");
    });

    it.each(["Failed", "Error"] as const)("load gate %s: revert; no promotion", (outcome) => {
        expect(run({ [s.load]: outcome }).ran).toEqual([s.rollOut, s.resources, s.integration, s.load, s.revertLoad]);
    });

    it("Argo CD never syncing the new tag: no gate runs, staging is reverted", () => {
        expect(run({ [s.rollOut]: "Failed" }).ran).toEqual([s.rollOut, s.revertRollOut]);
    });

    it("a revert that itself fails fails the workflow", () => {
        const result = run({ [s.integration]: "Failed", [s.revertIntegration]: "Failed" });
        expect(result.phase).toBe("Failed");
    });

    it("a failed mark-good stops before promotion", () => {
        const result = run({ [s.markGood]: "Failed" });
        expect(result.ran).not.toContain(s.promote);
        expect(result.phase).toBe("Failed");
    });

    it("for every combination of outcomes exactly one of mark-good or a revert runs, and promotion only after mark-good", () => {
        const phases: Phase[] = ["Succeeded", "Failed", "Error"];
        let combinations = 0;
        for (const a of phases) for (const b of phases) for (const c of phases) for (const d of phases) {
            const { ran } = run({ [s.rollOut]: a, [s.integration]: b, [s.resources]: c, [s.load]: d });
            const decisions = ran.filter((x) => x === s.markGood || reverts.includes(x as never));
            expect(decisions, `${a} ${b} ${c} ${d}`).toHaveLength(1);
            const passed = [a, b, c, d].every((x) => x === "Succeeded");
            expect(ran.includes(s.promote)).toBe(passed);
            combinations++;
        }
        expect(combinations).toBe(81);
    });
});

describe("train-model branches", () => {
    const train = entry("train-model");
    it.each([
        ["7", true],
        ["", false],
        ["none", false],
        ["7 8", false],
    ])("model-version %j starts a build: %s", (version, builds) => {
        const template = structuredClone(train);
        // Stand in for the output value Argo substitutes.
        for (const group of template.steps!) for (const step of group) {
            if (step.when) step.when = step.when.replace("{{steps.train.outputs.parameters.model-version}}", version);
        }
        expect(simulateSteps(template, {}).ran.has("build-container-image")).toBe(builds);
    });

    it("training that fails starts no build", () => {
        const result = simulateSteps(train, { train: "Failed" });
        expect(result.ran.has("build-container-image")).toBe(false);
        expect(result.phase).toBe("Failed");
    });
});

describe("the simulator refuses what Argo would refuse", () => {
    it("reading outputs of a skipped step", () => {
        const broken = structuredClone(gates);
        const promote = broken.steps!.flat().find((x) => x.name === s.promote)!;
        promote.when = "true";
        promote.arguments!.parameters![2] = { name: "version", value: "{{steps.revert-after-load.outputs.parameters.report}}" };
        expect(() => simulateSteps(broken, {})).toThrow(/was skipped and has no outputs/);
    });
});
