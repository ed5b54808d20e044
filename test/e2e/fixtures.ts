/** Small WorkflowTemplates that show the API server really enforces the Argo CRD schema. */
import { argoWorkflowsVersion } from "../../vocabulary/versions";

export function minimalWorkflowTemplate(namespace: string) {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "WorkflowTemplate",
        metadata: { name: "schema-probe", namespace },
        spec: {
            entrypoint: "main",
            templates: [
                {
                    name: "main",
                    container: { image: `quay.io/argoproj/argoexec:${argoWorkflowsVersion}`, command: ["true"] },
                },
            ],
        },
    };
}

/** The same template with an image that is a number, which the full CRD schema forbids. */
export function brokenWorkflowTemplate(namespace: string) {
    const template = minimalWorkflowTemplate(namespace);
    return {
        ...template,
        spec: { ...template.spec, templates: [{ name: "main", container: { image: 42, command: ["true"] } }] },
    };
}

/** A template whose entrypoint names a template that does not exist, which argo lint reports. */
export function danglingEntrypointWorkflowTemplate(namespace: string) {
    const template = minimalWorkflowTemplate(namespace);
    return { ...template, spec: { ...template.spec, entrypoint: "missing-step" } };
}
