import { environments, workflowTemplates } from "../../vocabulary/names";
import { gateCommandLine } from "../gates/contract";
import type { Template, WorkflowTemplate } from "./argo-types";
import { gateStepTemplate, workflowTemplate } from "./common";
import { canaryCheckSeconds, canaryCheckStepTemplates, canaryCheckSteps, overrideParameters } from "./canary-check";
import { deployTemplates } from "./deploy-container-image";
import { param, withEnvironmentPlaceholder } from "./parameterized";
import { environmentMutexName } from "../../vocabulary/names";
import type { PipelineSettings } from "./settings";

/** Templates inside promote-model / revert-staging that test-staging calls by templateRef. */
export const releaseTemplates = {
    promote: "promote",
    revert: "revert",
    markGood: "mark-good",
} as const;

function promoteSteps(settings: PipelineSettings): Template[] {
    return [
        {
            name: releaseTemplates.promote,
            inputs: { parameters: [{ name: "source-environment" }, { name: "target-environment" }, { name: "version" }] },
            steps: [
                [
                    {
                        name: "retag-deploy-alias",
                        template: "promote-command",
                        arguments: {
                            parameters: [
                                { name: "source-environment", value: param.input("source-environment") },
                                { name: "target-environment", value: param.input("target-environment") },
                                { name: "version", value: param.input("version") },
                            ],
                        },
                    },
                ],
                [
                    {
                        name: "wait-healthy",
                        templateRef: { name: workflowTemplates.deployContainerImage, template: deployTemplates.waitHealthy },
                        arguments: {
                            parameters: [
                                { name: "environment", value: param.input("target-environment") },
                                { name: "version", value: param.input("version") },
                            ],
                        },
                    },
                ],
            ],
        },
        gateStepTemplate({
            name: "promote-command",
            image: settings.images.gates,
            inputs: ["source-environment", "target-environment", "version"],
            args: gateCommandLine("promote", {
                from: param.input("source-environment"),
                to: param.input("target-environment"),
                version: param.input("version"),
            }),
            deadlineSeconds: settings.deadlines.releaseSeconds,
            missingReport: '{"verdict":"fail","reason":"promote exited before writing its report"}',
        }),
    ];
}

/**
 * promote-model: retag `<source>-1.0.<v>` as `<target>-1.0.<v>`, point the target at it, move
 * the MLflow alias (the gate image's `promote`), then wait until the target is healthy.
 * staging → canary runs automatically from test-staging; canary → production only by hand, and
 * only after canary passed its checks (pipeline/templates/canary-check.ts) or was overridden.
 */
export function promoteModel(settings: PipelineSettings): WorkflowTemplate {
    const template = workflowTemplate({
        name: workflowTemplates.promoteModel,
        description: "Promote a model version from one environment to the next (retag, deploy, MLflow alias).",
        entrypoint: "main",
        parameters: [
            { name: "source-environment", enum: [...environments], value: "canary" },
            { name: "target-environment", enum: [...environments], value: "production" },
            { name: "model-version", description: "MLflow model version to promote" },
            {
                name: overrideParameters.by,
                value: "",
                description: "To production only: who promotes although canary's traffic check refused (e.g. your NetID); with override-reason",
            },
            { name: overrideParameters.reason, value: "", description: "Why canary's figures are acceptable; recorded on the MLflow model version" },
        ],
        templates: [
            {
                name: "main",
                steps: [
                    // Canary → production: the integration gate against canary and its live traffic first.
                    ...canaryCheckSteps(),
                    [
                        {
                            name: "promote",
                            template: releaseTemplates.promote,
                            arguments: {
                                parameters: [
                                    { name: "source-environment", value: param.workflow("source-environment") },
                                    { name: "target-environment", value: param.workflow("target-environment") },
                                    { name: "version", value: param.workflow("model-version") },
                                ],
                            },
                        },
                    ],
                ],
            },
            ...canaryCheckStepTemplates(settings),
            ...promoteSteps(settings),
        ],
        deadlineSeconds: canaryCheckSeconds(settings) + settings.deadlines.releaseSeconds + settings.deadlines.deploySeconds + 120,
    });
    template.spec.synchronization = {
        mutexes: [{ name: withEnvironmentPlaceholder(environmentMutexName, param.workflow("target-environment")) }],
    };
    return template;
}

function revertSteps(settings: PipelineSettings): Template[] {
    return [
        gateStepTemplate({
            name: releaseTemplates.revert,
            image: settings.images.gates,
            inputs: ["version", "reason"],
            args: gateCommandLine("revert", {
                env: "staging",
                reason: `model version ${param.input("version")} failed staging: ${param.input("reason")}`,
                // Names the rejected version so the reason lands on it even when its alias never moved.
                failedVersion: param.input("version"),
            }),
            deadlineSeconds: settings.deadlines.releaseSeconds,
            missingReport: '{"verdict":"fail","reason":"revert exited before writing its report"}',
        }),
        gateStepTemplate({
            name: releaseTemplates.markGood,
            image: settings.images.gates,
            inputs: ["environment", "version"],
            args: gateCommandLine("mark-good", { env: param.input("environment"), version: param.input("version") }),
            deadlineSeconds: settings.deadlines.releaseSeconds,
            missingReport: '{"verdict":"fail","reason":"mark-good exited before writing its report"}',
        }),
    ];
}

/**
 * revert-staging: put staging back on the last version that passed its gates (recorded by
 * `mark-good`, not guessed from version numbers) and record why on the failed version.
 */
export function revertStaging(settings: PipelineSettings): WorkflowTemplate {
    return workflowTemplate({
        name: workflowTemplates.revertStaging,
        description: "Revert staging to its last-good model version and record why the failed version was rejected.",
        entrypoint: "main",
        parameters: [
            { name: "model-version", description: "the version that failed staging" },
            { name: "reason", description: "why it failed (shown on the MLflow model version)" },
        ],
        templates: [
            {
                name: "main",
                steps: [
                    [
                        {
                            name: "revert",
                            template: releaseTemplates.revert,
                            arguments: {
                                parameters: [
                                    { name: "version", value: param.workflow("model-version") },
                                    { name: "reason", value: param.workflow("reason") },
                                ],
                            },
                        },
                    ],
                ],
            },
            ...revertSteps(settings),
        ],
        deadlineSeconds: settings.deadlines.releaseSeconds + 120,
        locks: ["staging"],
    });
}
