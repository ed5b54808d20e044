import type { CronWorkflow, WorkflowTemplate } from "./argo-types";
import { buildContainerImage } from "./build-container-image";
import { buildInitial } from "./build-initial";
import { deployContainerImage } from "./deploy-container-image";
import { promoteModel, revertStaging } from "./release";
import type { PipelineSettings } from "./settings";
import { testStaging } from "./test-staging";
import { trainModel } from "./train-model";
import { trainModelCron, type CronSettings } from "./train-model-cron";

export type { PipelineSettings } from "./settings";
export type { CronSettings } from "./train-model-cron";

/** Every WorkflowTemplate of the pipeline, built from the same settings. */
export function pipelineWorkflowTemplates(settings: PipelineSettings): WorkflowTemplate[] {
    return [
        trainModel(settings),
        buildContainerImage(settings),
        deployContainerImage(settings),
        testStaging(settings),
        promoteModel(settings),
        revertStaging(settings),
        buildInitial(settings),
    ];
}

export function pipelineCronWorkflows(settings: PipelineSettings, cron: CronSettings): CronWorkflow[] {
    return [trainModelCron(settings, cron)];
}
