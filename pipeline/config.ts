import { boolean, cronSchedule, decimal, gitRevision, integer, optional, text, url } from "../infra/config/fields";
import type { StackCheck } from "../infra/config/load";
import { defineSection } from "../infra/config/section";
import type { PlatformSettings } from "../infra/platform/config";
import { trainingScenarios } from "../vocabulary/names";
import type { CronSettings } from "./templates/train-model-cron";
import type { GitSource } from "../vocabulary/git-source";
import type { Deadlines, GateThresholds } from "./templates/settings";
import { canaryFlags, integrationFlags, loadFlags, resourcesFlags } from "./gates/contract";

export interface PipelineConfig {
    readonly thresholds: GateThresholds;
    /** The app's own repository, cloned by image builds. */
    readonly appCodeSource: GitSource;
    readonly deadlines: Deadlines;
    readonly cron: CronSettings;
    /** GitHub push → Argo Events → train-model; off unless the stack turns it on. */
    readonly githubTrigger?: { readonly repository: string; readonly webhookSecret: string };
}

/** GitHub signs deliveries with HMAC-SHA256 of this secret; a short one can be guessed and pushes forged. */
export const minWebhookSecretLength = 32;

/**
 * Stack config of the pipeline layer: gate thresholds, deadlines, schedule, app source, trigger.
 * A gate threshold's default is the gate CLI's own (pipeline/gates/contract.ts); the ranges here
 * are what a stack may set, within what the CLI accepts.
 */
export const pipelineConfig = defineSection(
    {
        gateLoadRequests: integer(1, 100_000, { default: loadFlags.requests.default }),
        gateLoadConcurrency: integer(1, 1_000, { default: loadFlags.concurrency.default }),
        gateLoadRatePerSecond: optional(integer(1, 10_000)),
        gateLoadRequestTimeoutMs: integer(100, 120_000, { default: loadFlags.timeoutMs.default }),
        gateLoadP95Ms: integer(1, 120_000, { default: loadFlags.p95Ms.default }),
        // Below half, a gate would pass a staging that fails most requests: no check at all.
        gateLoadMinSuccessRate: decimal(0.5, 1, { default: loadFlags.minSuccessRate.default }),
        gateMaxMemoryRatio: decimal(0.05, 1, { default: resourcesFlags.maxMemoryRatio.default }),
        gateVersionWaitSeconds: integer(10, 3_600, { default: integrationFlags.waitS.default }),
        canaryWindowSeconds: integer(30, 3_600, { default: canaryFlags.windowS.default }),
        canaryMaxErrorRate: decimal(0, 1, { default: canaryFlags.maxErrorRate.default }),
        canaryP95Ms: integer(1, 120_000, { default: canaryFlags.p95Ms.default }),
        canaryMinRequests: integer(1, 1_000_000, { default: canaryFlags.minRequests.default }),
        appGitUrl: url({ default: "https://github.com/teaching-on-testbeds/gourmetgram.git" }),
        appGitRevision: gitRevision({ default: "workflow" }),
        trainDeadlineSeconds: integer(60, 86_400, { default: 3_600 }),
        buildDeadlineSeconds: integer(60, 86_400, { default: 1_800 }),
        deployDeadlineSeconds: integer(30, 7_200, { default: 600 }),
        testStagingDeadlineSeconds: integer(60, 86_400, { default: 2_400 }),
        releaseDeadlineSeconds: integer(30, 7_200, { default: 600 }),
        trainSchedule: cronSchedule({ default: "0 2 * * *" }),
        trainTimezone: text("an IANA time zone such as UTC or America/Chicago", { default: "UTC", pattern: /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/ }),
        trainScheduledScenario: text(`one of ${trainingScenarios.join(", ")}`, {
            default: "normal",
            pattern: new RegExp(`^(${trainingScenarios.join("|")})$`),
        }),
        githubTrigger: boolean({ default: false }),
        githubRepository: optional(text("owner/name of the GitHub repository whose pushes trigger training", { pattern: /^[\w.-]+\/[\w.-]+$/ })),
        githubWebhookSecret: optional(text("the shared secret GitHub signs webhook deliveries with (set it with --secret)")),
    },
    (v, report): PipelineConfig => {
        if (v.gateVersionWaitSeconds + 60 > v.testStagingDeadlineSeconds) {
            report("testStagingDeadlineSeconds", `must leave room after the ${v.gateVersionWaitSeconds}s version wait (gateVersionWaitSeconds + 60 at least)`);
        }
        let githubTrigger: PipelineConfig["githubTrigger"];
        if (v.githubTrigger) {
            if (!v.githubRepository) report("githubRepository", "is required when githubTrigger is true");
            if (!v.githubWebhookSecret) report("githubWebhookSecret", "is required when githubTrigger is true (pulumi config set --secret)");
            else if (v.githubWebhookSecret.length < minWebhookSecretLength) {
                report(
                    "githubWebhookSecret",
                    `must be at least ${minWebhookSecretLength} characters (e.g. the output of openssl rand -hex 32): a short secret lets anyone forge a push that starts training`,
                );
            }
            if (v.githubRepository && v.githubWebhookSecret && v.githubWebhookSecret.length >= minWebhookSecretLength) {
                githubTrigger = { repository: v.githubRepository, webhookSecret: v.githubWebhookSecret };
            }
        }
        return {
            thresholds: {
                loadRequests: v.gateLoadRequests,
                loadConcurrency: v.gateLoadConcurrency,
                loadRatePerSecond: v.gateLoadRatePerSecond,
                loadRequestTimeoutMs: v.gateLoadRequestTimeoutMs,
                loadP95Ms: v.gateLoadP95Ms,
                loadMinSuccessRate: v.gateLoadMinSuccessRate,
                maxMemoryRatio: v.gateMaxMemoryRatio,
                versionWaitSeconds: v.gateVersionWaitSeconds,
                canary: { windowS: v.canaryWindowSeconds, maxErrorRate: v.canaryMaxErrorRate, p95Ms: v.canaryP95Ms, minRequests: v.canaryMinRequests },
            },
            appCodeSource: { repoUrl: v.appGitUrl, revision: v.appGitRevision },
            deadlines: {
                trainSeconds: v.trainDeadlineSeconds,
                buildSeconds: v.buildDeadlineSeconds,
                deploySeconds: v.deployDeadlineSeconds,
                testStagingSeconds: v.testStagingDeadlineSeconds,
                releaseSeconds: v.releaseDeadlineSeconds,
            },
            cron: { schedules: [v.trainSchedule], timezone: v.trainTimezone, scenario: v.trainScheduledScenario },
            githubTrigger,
        };
    },
);

/** The GitHub trigger is an Argo Events EventSource and Sensor: the platform must install Argo Events. */
export const githubTriggerNeedsArgoEvents: StackCheck<{ pipeline: PipelineConfig; platform: PlatformSettings }> = (settings, report) => {
    if (settings.pipeline.githubTrigger && !settings.platform.argoEvents.enabled) {
        report("githubTrigger", "needs gourmetgram:argoEventsEnabled set to true: its EventSource and Sensor run on Argo Events");
    }
};
