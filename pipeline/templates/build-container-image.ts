import { workflowTemplates } from "../../vocabulary/names";
import type { WorkflowTemplate } from "./argo-types";
import { submitWorkflowTemplate, workflowTemplate } from "./common";
import { buildImageTemplate, prepareContextTemplate, workspaceClaim } from "./image-build-steps";
import { param } from "./parameterized";
import type { PipelineSettings } from "./settings";

/**
 * build-container-image: app source + the model version's weights + versions.txt, built in the
 * cluster and pushed as staging-1.0.<v>; then test-staging deploys it to staging and gates it.
 * Deploying inside test-staging (not here) lets one workflow hold the staging lock from the
 * deploy through the verdict, so the gates always test the version this build produced.
 */
export function buildContainerImage(settings: PipelineSettings): WorkflowTemplate {
    const versionArg = { parameters: [{ name: "model-version", value: param.workflow("model-version") }] };
    return workflowTemplate({
        name: workflowTemplates.buildContainerImage,
        description: "Build the serving image for a model version (staging-1.0.<v>), then deploy and gate it in staging.",
        entrypoint: "build",
        parameters: [{ name: "model-version", description: "MLflow model version to package" }],
        templates: [
            {
                name: "build",
                steps: [
                    [{ name: "prepare-context", template: "prepare-context", arguments: versionArg }],
                    [{ name: "build-image", template: "build-image", arguments: versionArg }],
                    [{ name: "deploy-and-test-staging", template: "start-test-staging", arguments: versionArg }],
                ],
            },
            prepareContextTemplate(settings),
            buildImageTemplate(settings, ["staging"], ["staging"]),
            submitWorkflowTemplate({
                name: "start-test-staging",
                workflowTemplate: workflowTemplates.testStaging,
                inputs: ["model-version"],
                arguments: { "model-version": param.input("model-version") },
            }),
        ],
        deadlineSeconds: settings.deadlines.buildSeconds + 1200,
        extraSpec: {
            volumeClaimTemplates: [workspaceClaim()],
            volumeClaimGC: { strategy: "OnWorkflowCompletion" },
        },
    });
}
