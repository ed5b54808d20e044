import { environments, workflowTemplates } from "../../vocabulary/names";
import type { WorkflowStep, WorkflowTemplate } from "./argo-types";
import { workflowTemplate } from "./common";
import { deployTemplates } from "./deploy-container-image";
import { buildImageTemplate, prepareContextTemplate, workspaceClaim } from "./image-build-steps";
import { param } from "./parameterized";
import { releaseTemplates } from "./release";
import type { PipelineSettings } from "./settings";

/**
 * build-initial: one-time setup of the three environments from one registered model version:
 * one build pushed as <env>-1.0.<v> for each environment, each environment deployed, and the
 * version recorded as every environment's last-good so the first failed gate has a target.
 */
export function buildInitial(settings: PipelineSettings): WorkflowTemplate {
    const version = param.workflow("model-version");
    const perEnv = (prefix: string, step: (env: string) => Omit<WorkflowStep, "name">): WorkflowStep[] =>
        environments.map((env) => ({ name: `${prefix}-${env}`, ...step(env) }));
    return workflowTemplate({
        name: workflowTemplates.buildInitial,
        description: "One-time: build the first image for staging, canary and production and deploy all three.",
        entrypoint: "initial",
        parameters: [{ name: "model-version", description: "registered MLflow model version to start from" }],
        templates: [
            {
                name: "initial",
                steps: [
                    [{ name: "prepare-context", template: "prepare-context", arguments: { parameters: [{ name: "model-version", value: version }] } }],
                    [{ name: "build-image", template: "build-image", arguments: { parameters: [{ name: "model-version", value: version }] } }],
                    perEnv("deploy", (env) => ({
                        templateRef: { name: workflowTemplates.deployContainerImage, template: deployTemplates.deploy },
                        arguments: { parameters: [{ name: "environment", value: env }, { name: "version", value: version }] },
                    })),
                    perEnv("mark-good", (env) => ({
                        templateRef: { name: workflowTemplates.revertStaging, template: releaseTemplates.markGood },
                        arguments: { parameters: [{ name: "environment", value: env }, { name: "version", value: version }] },
                    })),
                ],
            },
            prepareContextTemplate(settings),
            // The workflow holds every environment's lock already (`locks` below).
            buildImageTemplate(settings, environments, []),
        ],
        deadlineSeconds: settings.deadlines.buildSeconds + settings.deadlines.deploySeconds + 1200,
        locks: environments,
        extraSpec: {
            volumeClaimTemplates: [workspaceClaim()],
            volumeClaimGC: { strategy: "OnWorkflowCompletion" },
        },
    });
}
