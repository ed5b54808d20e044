import { trainingScenarios, trainingSeedEnv, workflowTemplates } from "../../vocabulary/names";
import { parseMemoryBytes } from "../../vocabulary/quantities";
import type { Template, WorkflowTemplate } from "./argo-types";
import { mlflowEnvironment, submitWorkflowTemplate, workflowTemplate } from "./common";
import { restrictedSecurityContext } from "../../infra/platform/common/security";
import { param } from "./parameterized";
import type { PipelineSettings } from "./settings";
import { withoutApiToken } from "./without-api-token";

/** Where the training image writes the version it registered (empty when it registered none). */
export const modelVersionFile = "/tmp/model_version";

/** A registered version is a positive integer; anything else (empty included) means "none". */
export const registeredVersionPattern = "^[0-9]+$";

/**
 * The training pod holds the oversized model twice at its peak (built in memory, then loaded again
 * by the evaluation's pytest process), and that model is 1.5x staging's memory limit
 * (OVERSIZED_FACTOR in gourmetgram_train/models.py): 3Gi, or 4x the limit when that is more.
 */
export function trainMemoryLimit(stagingMemoryLimit: string): string {
    const bytes = parseMemoryBytes(stagingMemoryLimit);
    if (bytes === undefined) throw new Error(`staging memory limit "${stagingMemoryLimit}" is not a memory quantity`);
    return `${Math.max(3 * 1024, Math.ceil((4 * bytes) / 2 ** 20))}Mi`;
}

function trainTemplate(settings: PipelineSettings): Template {
    return {
        name: "train",
        inputs: { parameters: [{ name: "scenario" }, { name: "seed" }] },
        activeDeadlineSeconds: settings.deadlines.trainSeconds,
        ...withoutApiToken,
        // No retries: training registers a model version, and pytest's verdict is part of the run.
        container: {
            name: "main",
            image: settings.images.train,
            command: ["python", "-m", "gourmetgram_train"],
            // The oversized scenario is sized from staging's memory limit, so it fails there for the right reason.
            args: ["--scenario", param.input("scenario"), "--app-memory-limit", settings.stagingAppLimits.memory],
            // An empty seed makes the training image draw a fresh one (and log it).
            env: [...mlflowEnvironment(), { name: trainingSeedEnv, value: param.input("seed") }],
            // The image's numeric USER; pytest and torch write below /tmp and the home directory.
            securityContext: restrictedSecurityContext({ readOnlyRootFilesystem: false }),
            resources: {
                requests: { cpu: "500m", memory: "1Gi" },
                limits: { cpu: "2", memory: trainMemoryLimit(settings.stagingAppLimits.memory) },
            },
        },
        outputs: {
            parameters: [{ name: "model-version", valueFrom: { path: modelVersionFile, default: "" } }],
        },
    };
}

/**
 * train-model: train and evaluate (pytest) in a pod, register the model in MLflow when it
 * passes, and start build-container-image for that version. The scenario is a parameter, so
 * a student picks it at submit time: `argo submit --from workflowtemplate/train-model -p scenario=oversized`.
 */
export function trainModel(settings: PipelineSettings): WorkflowTemplate {
    const version = param.stepOutput("train", "model-version");
    return workflowTemplate({
        name: workflowTemplates.trainModel,
        description: "Train and evaluate a model; when a version is registered, build its serving image.",
        entrypoint: "train-and-build",
        parameters: [
            {
                name: "scenario",
                value: "normal",
                enum: [...trainingScenarios],
                description: "normal | bad-architecture (fails the integration gate) | oversized (fails the resource gate)",
            },
            {
                name: "seed",
                value: "",
                description: "integer seed that makes a run reproducible (its evaluation verdict included); empty draws a fresh one",
            },
        ],
        templates: [
            {
                name: "train-and-build",
                steps: [
                    [
                        {
                            name: "train",
                            template: "train",
                            arguments: {
                                parameters: [
                                    { name: "scenario", value: param.workflow("scenario") },
                                    { name: "seed", value: param.workflow("seed") },
                                ],
                            },
                        },
                    ],
                    [
                        {
                            name: "build-container-image",
                            template: "start-build",
                            when: `'${version}' =~ '${registeredVersionPattern}'`,
                            arguments: { parameters: [{ name: "model-version", value: version }] },
                        },
                    ],
                ],
            },
            trainTemplate(settings),
            submitWorkflowTemplate({
                name: "start-build",
                workflowTemplate: workflowTemplates.buildContainerImage,
                inputs: ["model-version"],
                arguments: { "model-version": param.input("model-version") },
            }),
        ],
        deadlineSeconds: settings.deadlines.trainSeconds + 300,
    });
}
