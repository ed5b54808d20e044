/** Kubernetes API versions of the custom resources the program writes and reads. */

/** Argo Workflows' and Argo CD's CRDs (WorkflowTemplate, CronWorkflow, Sensor, Application, AppProject). */
export const argoApiVersion = "argoproj.io/v1alpha1";
