/**
 * What promote-model checks before canary's version goes to production: the integration gate
 * against canary (it serves the version and the model works with the app), then `gate canary`
 * on the live traffic canary served through the public address (error rate, p95, enough
 * requests). Either failing ends the workflow before anything moves. The override parameters
 * let a named person promote past a refused traffic check (recorded on the MLflow version);
 * they cannot make a canary that fails the integration gate pass.
 */
import { appServiceUrl, traefik, traefikServiceMetricName } from "../../vocabulary/names";
import { gateCommandLine } from "../gates/contract";
import type { Template, WorkflowStep } from "./argo-types";
import { gateStepTemplate } from "./common";
import { param } from "./parameterized";
import type { PipelineSettings } from "./settings";

/** promote-model's parameters for the override; empty means none. */
export const overrideParameters = {
    by: "override-by",
    reason: "override-reason",
} as const;

export const canaryCheckTemplates = {
    integration: "integration-canary",
    traffic: "canary-traffic",
} as const;

/** The names of the two check steps in promote-model, as Argo shows them. */
export const canaryCheckStepNames = {
    integration: "check-canary-integration",
    traffic: "check-canary-traffic",
} as const;

/** Canary already serves the version being promoted: the integration gate waits only briefly for it. */
export const canaryVersionWaitSeconds = 30;

/** Runs only when production is the target; any other promotion skips the check. */
const toProduction = `'${param.workflow("target-environment")}' == 'production'`;

/** The two check steps, in order, for promote-model's main steps. */
export function canaryCheckSteps(): WorkflowStep[][] {
    return [
        [{ name: canaryCheckStepNames.integration, template: canaryCheckTemplates.integration, when: toProduction }],
        [{ name: canaryCheckStepNames.traffic, template: canaryCheckTemplates.traffic, when: toProduction }],
    ];
}

export function canaryCheckStepTemplates(settings: PipelineSettings): Template[] {
    const c = settings.thresholds.canary;
    const version = param.workflow("model-version");
    const crashed = (what: string) => JSON.stringify({ verdict: "fail", reason: `${what} exited before writing its report (crashed or timed out)` });
    return [
        gateStepTemplate({
            name: canaryCheckTemplates.integration,
            image: settings.images.gates,
            args: gateCommandLine("integration", { url: appServiceUrl("canary"), expectVersion: version, waitS: canaryVersionWaitSeconds }),
            deadlineSeconds: canaryVersionWaitSeconds + 300,
            missingReport: crashed("the integration gate against canary"),
        }),
        gateStepTemplate({
            name: canaryCheckTemplates.traffic,
            image: settings.images.gates,
            args: gateCommandLine("canary", {
                version,
                metricsUrl: traefik.metricsUrl,
                canaryService: traefikServiceMetricName("canary"),
                productionService: traefikServiceMetricName("production"),
                windowS: c.windowS,
                maxErrorRate: c.maxErrorRate,
                p95Ms: c.p95Ms,
                minRequests: c.minRequests,
                // Always passed, empty unless the person promoting set them: the CLI reads "" as none.
                overrideBy: param.workflow(overrideParameters.by),
                overrideReason: param.workflow(overrideParameters.reason),
            }),
            deadlineSeconds: canaryTrafficDeadlineSeconds(settings),
            missingReport: crashed("the canary traffic check"),
        }),
    ];
}

/** The watched window, two scrapes and the MLflow record of an override. */
export function canaryTrafficDeadlineSeconds(settings: PipelineSettings): number {
    return settings.thresholds.canary.windowS + settings.deadlines.releaseSeconds;
}

/** Time the check adds to promote-model's own deadline. */
export function canaryCheckSeconds(settings: PipelineSettings): number {
    return canaryVersionWaitSeconds + 300 + canaryTrafficDeadlineSeconds(settings);
}
