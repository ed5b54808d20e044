import type { IIoK8sApiRbacV1PolicyRule } from "kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule";
import { executorRule } from "../../infra/platform/argo/executor";
import { appApplicationName, environments, namespaces, releaseRecord, workflowTemplates, type Environment } from "../../vocabulary/names";

/** Rules a template's runner needs, per namespace. */
export type NamespacedRules = Readonly<Record<string, IIoK8sApiRbacV1PolicyRule[]>>;

/** What Argo's executor needs in every pod that runs with the runner's own token. */
const executor = executorRule;

/**
 * Start a child workflow. `get` too: Argo's resource step reads the object it created back to
 * fill its output parameters (the child's name), and fails the step without it.
 */
const submitWorkflows: IIoK8sApiRbacV1PolicyRule = { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create", "get"] };

/** Read and re-point the named environments' Argo CD Applications: the only deploy credential. */
function applications(envs: readonly Environment[]): IIoK8sApiRbacV1PolicyRule[] {
    return [
        { apiGroups: ["argoproj.io"], resources: ["applications"], resourceNames: envs.map(appApplicationName), verbs: ["get", "watch", "patch"] },
    ];
}

/** The release record (vocabulary/names releaseRecord), and no other ConfigMap. */
function releaseRecordAccess(verbs: string[]): IIoK8sApiRbacV1PolicyRule {
    return { apiGroups: [""], resources: ["configmaps"], resourceNames: [releaseRecord.configMap], verbs };
}

/** What the resource gate reads about staging's pods. */
const stagingObservation: IIoK8sApiRbacV1PolicyRule[] = [
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"] },
    { apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["get", "list"] },
];

/** Least privilege per WorkflowTemplate runner. */
export function runnerRules(template: string): NamespacedRules {
    switch (template) {
        case workflowTemplates.trainModel:
        case workflowTemplates.buildContainerImage:
            return { [namespaces.workflows]: [executor, submitWorkflows] };
        case workflowTemplates.deployContainerImage:
            return { [namespaces.workflows]: [executor], [namespaces.argocd]: applications(environments) };
        case workflowTemplates.buildInitial:
            // Marks the first image good in every environment: writes the release record.
            return { [namespaces.workflows]: [executor, releaseRecordAccess(["get", "patch"])], [namespaces.argocd]: applications(environments) };
        case workflowTemplates.promoteModel:
            return { [namespaces.workflows]: [executor, releaseRecordAccess(["get"])], [namespaces.argocd]: applications(environments) };
        case workflowTemplates.revertStaging:
            return { [namespaces.workflows]: [executor, releaseRecordAccess(["get"])], [namespaces.argocd]: applications(["staging"]) };
        case workflowTemplates.testStaging:
            // mark-good writes the record; promote to canary and revert read it.
            return {
                [namespaces.workflows]: [executor, releaseRecordAccess(["get", "patch"])],
                [namespaces.argocd]: applications(["staging", "canary"]),
                [namespaces.staging]: stagingObservation,
            };
        default:
            throw new Error(`no RBAC is defined for workflow template ${template}`);
    }
}
