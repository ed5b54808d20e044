import { appPodSelector, appServiceUrl, namespaces, workflowTemplates } from "../../vocabulary/names";
import { gateCommandLine } from "../gates/contract";
import type { Template, WorkflowStep, WorkflowTemplate } from "./argo-types";
import { gateReportParameter, gateStepTemplate, workflowTemplate } from "./common";
import { deployTemplates } from "./deploy-container-image";
import { param } from "./parameterized";
import { releaseTemplates } from "./release";
import type { PipelineSettings } from "./settings";

/** Step names of test-staging, in the order they can run. */
export const testStagingSteps = {
    rollOut: "deploy-staging",
    resources: "resource-gate",
    integration: "integration-gate",
    load: "load-gate",
    markGood: "mark-good",
    promote: "promote-to-canary",
    revertRollOut: "revert-after-deploy",
    revertResources: "revert-after-resources",
    revertIntegration: "revert-after-integration",
    revertLoad: "revert-after-load",
} as const;

const s = testStagingSteps;
const version = param.workflow("model-version");
const succeeded = (step: string) => `${param.stepStatus(step)} == Succeeded`;
const notSucceeded = (step: string) => `${param.stepStatus(step)} != Succeeded`;
const all = (...terms: string[]) => terms.join(" && ");

/** A gate's verdict is its exit status; the next step always runs and decides on it. */
const continueOnAnyFailure = { failed: true, error: true };

function revertStep(name: string, when: string, reason: string): WorkflowStep {
    return {
        name,
        when,
        templateRef: { name: workflowTemplates.revertStaging, template: releaseTemplates.revert },
        arguments: {
            parameters: [
                { name: "version", value: version },
                { name: "reason", value: reason },
            ],
        },
    };
}

function gateReport(step: string): string {
    return param.stepOutput(step, gateReportParameter);
}

/**
 * The decision graph. Each gate runs only if everything before it passed; exactly one of
 * mark-good or the four reverts runs (their `when`s partition the outcomes), and the revert
 * that runs is the one whose gate failed, so it can quote that gate's report. Reports are
 * only read from steps that ran: a skipped step has no outputs.
 */
export function testStagingGraph(): WorkflowStep[][] {
    const staging = { name: "environment", value: "staging" };
    const versionArg = { name: "version", value: version };
    return [
        [
            {
                name: s.rollOut,
                templateRef: { name: workflowTemplates.deployContainerImage, template: deployTemplates.rollOut },
                arguments: { parameters: [staging, versionArg] },
                continueOn: continueOnAnyFailure,
            },
        ],
        // Resources first: it waits for the new pods' rollout and names what kills them
        // (OOMKilled, CrashLoopBackOff, Unschedulable). Only a running version can be asked
        // whether it works with the app (integration) and how it behaves under load.
        [{ name: s.resources, template: "resources", when: succeeded(s.rollOut), continueOn: continueOnAnyFailure }],
        [{ name: s.integration, template: "integration", when: succeeded(s.resources), continueOn: continueOnAnyFailure }],
        [{ name: s.load, template: "load", when: succeeded(s.integration), continueOn: continueOnAnyFailure }],
        [
            {
                name: s.markGood,
                when: all(succeeded(s.rollOut), succeeded(s.integration), succeeded(s.resources), succeeded(s.load)),
                templateRef: { name: workflowTemplates.revertStaging, template: releaseTemplates.markGood },
                arguments: { parameters: [staging, versionArg] },
            },
            revertStep(
                s.revertRollOut,
                notSucceeded(s.rollOut),
                `Argo CD did not sync staging to the new image (deploy step ${param.stepStatus(s.rollOut)})`,
            ),
            revertStep(
                s.revertResources,
                all(succeeded(s.rollOut), notSucceeded(s.resources)),
                `resource gate ${param.stepStatus(s.resources)}: ${gateReport(s.resources)}`,
            ),
            revertStep(
                s.revertIntegration,
                all(succeeded(s.rollOut), succeeded(s.resources), notSucceeded(s.integration)),
                `integration gate ${param.stepStatus(s.integration)}: ${gateReport(s.integration)}`,
            ),
            revertStep(
                s.revertLoad,
                all(succeeded(s.rollOut), succeeded(s.integration), succeeded(s.resources), notSucceeded(s.load)),
                `load gate ${param.stepStatus(s.load)}: ${gateReport(s.load)}`,
            ),
        ],
        [
            {
                name: s.promote,
                when: succeeded(s.markGood),
                templateRef: { name: workflowTemplates.promoteModel, template: releaseTemplates.promote },
                arguments: {
                    parameters: [
                        { name: "source-environment", value: "staging" },
                        { name: "target-environment", value: "canary" },
                        versionArg,
                    ],
                },
            },
        ],
    ];
}

function gateTemplates(settings: PipelineSettings): Template[] {
    const t = settings.thresholds;
    const deadline = settings.deadlines.testStagingSeconds;
    const stagingUrl = appServiceUrl("staging");
    const crashed = (gate: string) =>
        JSON.stringify({ verdict: "fail", reason: `${gate} gate exited before writing its report (crashed or timed out)` });
    return [
        gateStepTemplate({
            name: "integration",
            image: settings.images.gates,
            args: gateCommandLine("integration", { url: stagingUrl, expectVersion: version, waitS: t.versionWaitSeconds }),
            deadlineSeconds: Math.min(deadline, t.versionWaitSeconds + 300),
            missingReport: crashed("integration"),
        }),
        gateStepTemplate({
            name: "resources",
            image: settings.images.gates,
            args: gateCommandLine("resources", {
                namespace: namespaces.staging,
                selector: appPodSelector(),
                maxMemoryRatio: t.maxMemoryRatio,
                // The first gate after the deploy: it waits out the rollout (image pull, model load,
                // first metrics) for as long as staging is given to serve the new version.
                waitS: t.versionWaitSeconds,
            }),
            deadlineSeconds: Math.min(deadline, t.versionWaitSeconds + 300),
            missingReport: crashed("resource"),
        }),
        gateStepTemplate({
            name: "load",
            image: settings.images.gates,
            args: gateCommandLine("load", {
                // /test runs inference on the app's own sample: the load the gate measures is the model's.
                url: `${stagingUrl}/test`,
                requests: t.loadRequests,
                concurrency: t.loadConcurrency,
                rate: t.loadRatePerSecond,
                timeoutMs: t.loadRequestTimeoutMs,
                p95Ms: t.loadP95Ms,
                minSuccessRate: t.loadMinSuccessRate,
                // Restarts and OOM kills caused by the load fail it by name, even when the figures pass.
                namespace: namespaces.staging,
                selector: appPodSelector(),
            }),
            deadlineSeconds: Math.min(deadline, 900),
            missingReport: crashed("load"),
        }),
    ];
}

/**
 * test-staging: deploy version v to staging, wait until staging serves v, run the integration,
 * resource and load gates, then either record v as staging's last-good and promote it to
 * canary, or revert staging with the failing gate's reason. Holds the staging and canary
 * locks throughout, so no other deploy, promotion or revert can change either underneath it.
 */
export function testStaging(settings: PipelineSettings): WorkflowTemplate {
    return workflowTemplate({
        name: workflowTemplates.testStaging,
        description: "Deploy a version to staging, gate it (integration, resources, load), then promote to canary or revert.",
        entrypoint: "gates",
        parameters: [{ name: "model-version", description: "MLflow model version built as staging-1.0.<v>" }],
        templates: [{ name: "gates", steps: testStagingGraph() }, ...gateTemplates(settings)],
        deadlineSeconds: settings.deadlines.testStagingSeconds,
        locks: ["staging", "canary"],
    });
}
