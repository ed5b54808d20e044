/**
 * templateReferencing: Strict makes every Workflow name a WorkflowTemplate, but Argo merges the
 * Workflow's own spec over the template's: a Workflow could still pick any service account of
 * the namespace (`serviceAccountName`) or rewrite a step's container (`podSpecPatch`). This
 * admission policy (Kubernetes ValidatingAdmissionPolicy, CEL) lets a Workflow in the workflows
 * namespace carry only what submitting a template needs, so what runs is the template as written.
 */
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { namespaces, PROJECT } from "../../../vocabulary/names";
import { componentLabels } from "../common/labels";

/**
 * What a Workflow may set: the template and its parameters (argo submit --from, the UI, the
 * pipeline's own submit steps, the CronWorkflow), the lifecycle the CronWorkflow adds, and what
 * `argo suspend`, `resume`, `stop` and `terminate` write.
 */
export const allowedWorkflowSpecFields = [
    "workflowTemplateRef",
    "arguments",
    "entrypoint",
    "activeDeadlineSeconds",
    "podGC",
    "ttlStrategy",
    "suspend",
    "shutdown",
] as const;

export const workflowAdmissionName = `${PROJECT}-workflows-from-templates`;

const allowedList = `[${allowedWorkflowSpecFields.map((f) => `'${f}'`).join(", ")}]`;

export function workflowAdmissionPolicy(): IValidatingAdmissionPolicy {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: workflowAdmissionName, labels: componentLabels("workflow-admission") },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [{ apiGroups: ["argoproj.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["workflows"] }],
            },
            variables: [{ name: "extra", expression: `has(object.spec) ? object.spec.filter(field, !(field in ${allowedList})) : []` }],
            validations: [
                {
                    expression: "has(object.spec) && has(object.spec.workflowTemplateRef)",
                    message: "a Workflow here must reference one of the lab's WorkflowTemplates (spec.workflowTemplateRef)",
                    reason: "Forbidden",
                },
                {
                    expression: "size(variables.extra) == 0",
                    messageExpression: `'a Workflow here may set only ${allowedWorkflowSpecFields.join(", ")}; it also sets ' + variables.extra.join(', ')`,
                    reason: "Forbidden",
                },
            ],
        },
    };
}

export function workflowAdmissionBinding(): IValidatingAdmissionPolicyBinding {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: workflowAdmissionName, labels: componentLabels("workflow-admission") },
        spec: {
            policyName: workflowAdmissionName,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespaces.workflows } } },
        },
    };
}
