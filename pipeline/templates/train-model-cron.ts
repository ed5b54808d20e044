import { namespaces, workflowTemplates } from "../../vocabulary/names";
import { argoApiVersion } from "../../vocabulary/api-versions";
import type { CronWorkflow } from "./argo-types";
import { lifecycle } from "./common";
import type { PipelineSettings } from "./settings";

export interface CronSettings {
    /** Standard five-field cron expressions; the v3.6+ `schedules` list (singular `schedule` is gone in v4). */
    readonly schedules: readonly string[];
    readonly timezone: string;
    readonly scenario: string;
}

/** train-model-cron: nightly retraining. A run never starts while the previous one still runs. */
export function trainModelCron(settings: PipelineSettings, cron: CronSettings): CronWorkflow {
    return {
        apiVersion: argoApiVersion,
        kind: "CronWorkflow",
        metadata: {
            name: workflowTemplates.trainModelCron,
            namespace: namespaces.workflows,
            annotations: { "workflows.argoproj.io/description": "Scheduled retraining through train-model." },
        },
        spec: {
            schedules: [...cron.schedules],
            timezone: cron.timezone,
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 5,
            workflowSpec: {
                workflowTemplateRef: { name: workflowTemplates.trainModel },
                arguments: { parameters: [{ name: "scenario", value: cron.scenario }] },
                ...lifecycle(settings.deadlines.trainSeconds + 300),
            },
        },
    };
}
