/**
 * The Argo Workflows types the templates are written against. Only types are imported: the
 * model package ships as ES modules, which this CommonJS program cannot load at run time,
 * and the builders need nothing from it but the shapes. Tests load the real model classes
 * and validate every template against their JSON schema.
 *
 * The package's types follow Argo Workflows v4; the cluster runs the v3.7 line (see
 * vocabulary/versions.ts). Every field used here exists in both. v4 dropped the singular
 * `synchronization.mutex`/`semaphore` and the CronWorkflow `schedule` (deprecated since 3.6):
 * the types no longer have them, so the templates use the plural forms, which 3.7 reads too.
 *
 * One correction: the generated model describes `steps` as a list of `{steps: [...]}` objects
 * (a kubebuilder workaround, see ParallelSteps.d.ts); Argo's real JSON is a list of lists.
 * The types below use the real shape; test/support/workflow-check/model-shape.ts converts for
 * schema validation.
 */
import type { ICronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow";
import type { ICronWorkflowSpec } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflowSpec";
import type { IWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow";
import type { IWorkflowSpec } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowSpec";
import type { ITemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template";
import type { IWorkflowStep } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowStep";
import type { IWorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";

export type { IParameter as Parameter } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Parameter";
export type { IRetryStrategy as RetryStrategy } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/RetryStrategy";

export type WorkflowStep = IWorkflowStep;
export type Template = Omit<ITemplate, "steps"> & { steps?: WorkflowStep[][] };
export type WorkflowSpec = Omit<IWorkflowSpec, "templates" | "templateDefaults"> & { templates?: Template[] };
export type WorkflowTemplate = Omit<IWorkflowTemplate, "spec"> & { spec: WorkflowSpec };
export type Workflow = Omit<IWorkflow, "spec"> & { spec: WorkflowSpec };
export type CronWorkflow = Omit<ICronWorkflow, "spec"> & {
    spec: Omit<ICronWorkflowSpec, "workflowSpec"> & { workflowSpec: WorkflowSpec };
};
