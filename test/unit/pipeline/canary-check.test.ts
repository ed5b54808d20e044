/**
 * promote-model's check before production: which steps run, in which order, with which flags,
 * and that the gate CLI's own parser accepts exactly what the template passes (the typed
 * contract between the template and `gate canary`).
 */
import { describe, expect, it } from "vitest";
import { appServiceUrl, traefik, traefikServiceMetricName } from "../../../vocabulary/names";
import { parseCanaryArgs } from "../../../pipeline/gates/canary/command";
import { canaryFlags } from "../../../pipeline/gates/contract";
import { parseIntegrationArgs } from "../../../pipeline/gates/integration/command";
import { canaryCheckTemplates, canaryVersionWaitSeconds, overrideParameters } from "../../../pipeline/templates/canary-check";
import { promoteModel } from "../../../pipeline/templates/release";
import { pipelineConfig } from "../../../pipeline/config";
import { settings } from "./fixtures";

const template = promoteModel(settings);
const templates = template.spec.templates!;
const byName = (name: string) => templates.find((t) => t.name === name)!;
const args = (name: string) => byName(name).container!.args!;

/**
 * The flags the command receives when Argo runs the step: every {{workflow.parameters.x}}
 * replaced by the submitted value, after the command name.
 */
function submitted(a: string[], values: Record<string, string>): string[] {
    return a.slice(1).map((arg) => arg.replace(/\{\{workflow\.parameters\.([\w-]+)\}\}/g, (_, name: string) => {
        if (!(name in values)) throw new Error(`no value for workflow parameter ${name}`);
        return values[name];
    }));
}

describe("promote-model's check of canary", () => {
    it("offers the override as two parameters, empty by default", () => {
        const params = template.spec.arguments!.parameters!;
        expect(params.find((p) => p.name === overrideParameters.by)).toMatchObject({ value: "" });
        expect(params.find((p) => p.name === overrideParameters.reason)).toMatchObject({ value: "" });
    });

    it("runs the integration gate, then the traffic check, then the promotion; the checks only towards production", () => {
        const main = byName("main").steps!;
        expect(main.map((group) => group.map((s) => s.name))).toEqual([["check-canary-integration"], ["check-canary-traffic"], ["promote"]]);
        for (const [step] of main.slice(0, 2)) {
            expect(step.when).toBe("'{{workflow.parameters.target-environment}}' == 'production'");
            // No continueOn: a refusal fails the workflow and the promotion never starts.
            expect(step.continueOn).toBeUndefined();
        }
        expect(main[2][0].when).toBeUndefined();
    });

    it("checks canary's in-cluster address for the version being promoted", () => {
        const a = args(canaryCheckTemplates.integration);
        expect(a[0]).toBe("integration");
        const o = parseIntegrationArgs(submitted(a, { "model-version": "7" }));
        expect(o.base.toString()).toBe(`${appServiceUrl("canary")}/`);
        expect(o.expectVersion).toBe("7");
        expect(o.waitS).toBe(canaryVersionWaitSeconds);
    });

    it("passes the stack's thresholds and the names Traefik uses, and the CLI parses them as given", () => {
        const a = args(canaryCheckTemplates.traffic);
        expect(a[0]).toBe("canary");
        const o = parseCanaryArgs(submitted(a, { "model-version": "7", "override-by": "", "override-reason": "" }), {});
        expect(o).toMatchObject({
            version: "7",
            canaryService: traefikServiceMetricName("canary"),
            productionService: traefikServiceMetricName("production"),
            thresholds: settings.thresholds.canary,
        });
        expect(o.metricsUrl.toString()).toBe(traefik.metricsUrl);
        expect(o.override).toBeUndefined();
        const overridden = parseCanaryArgs(submitted(a, { "model-version": "7", "override-by": "ab1234", "override-reason": "planned restart" }), {});
        expect(overridden.override).toEqual({ by: "ab1234", reason: "planned restart" });
    });

    it("gives the traffic step and the workflow room for the whole window", () => {
        const traffic = byName(canaryCheckTemplates.traffic);
        expect(traffic.activeDeadlineSeconds).toBeGreaterThan(settings.thresholds.canary.windowS);
        const total = template.spec.activeDeadlineSeconds as number;
        expect(total).toBeGreaterThan(
            (traffic.activeDeadlineSeconds as number) + (byName(canaryCheckTemplates.integration).activeDeadlineSeconds as number) + settings.deadlines.releaseSeconds,
        );
    });

    it("takes the CLI's defaults as the stack defaults", () => {
        const defaults = Object.fromEntries(
            (["canaryWindowSeconds", "canaryMaxErrorRate", "canaryP95Ms", "canaryMinRequests"] as const).map((k) => [k, pipelineConfig.keys[k].parse(undefined)]),
        );
        expect(defaults).toEqual({
            canaryWindowSeconds: canaryFlags.windowS.default,
            canaryMaxErrorRate: canaryFlags.maxErrorRate.default,
            canaryP95Ms: canaryFlags.p95Ms.default,
            canaryMinRequests: canaryFlags.minRequests.default,
        });
    });
});
