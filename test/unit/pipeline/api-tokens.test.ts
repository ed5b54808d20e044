import { describe, expect, it } from "vitest";
import { namespaces, workflowExecutor, workflowTemplates } from "../../../vocabulary/names";
import { executorRole, executorServiceAccount, executorTokenSecret } from "../../../infra/platform/argo/executor";
import { runnerRules } from "../../../pipeline/rbac/policies";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import type { Template } from "../../../pipeline/templates/argo-types";
import { settings } from "./fixtures";

/** Templates that run a pod (container, script or resource), per WorkflowTemplate. */
function podTemplates(): Array<{ workflow: string; template: Template }> {
    return pipelineWorkflowTemplates(settings).flatMap((wt) =>
        (wt.spec.templates ?? [])
            .filter((t) => t.container || t.script || t.resource)
            .map((template) => ({ workflow: wt.metadata!.name!, template })),
    );
}

const tokenless = (t: Template) => t.automountServiceAccountToken === false;

describe("service-account tokens in workflow pods", () => {
    it("training, the build context and the image build get none: their code never calls the Kubernetes API", () => {
        const without = podTemplates().filter(({ template }) => tokenless(template)).map(({ workflow, template }) => `${workflow}/${template.name}`);
        expect(without.sort()).toEqual(
            [
                `${workflowTemplates.trainModel}/train`,
                `${workflowTemplates.buildContainerImage}/prepare-context`,
                `${workflowTemplates.buildContainerImage}/build-image`,
                `${workflowTemplates.buildInitial}/prepare-context`,
                `${workflowTemplates.buildInitial}/build-image`,
            ].sort(),
        );
    });

    it("every step without a token names the executor account (Argo refuses the pod otherwise)", () => {
        for (const { workflow, template } of podTemplates().filter(({ template }) => tokenless(template))) {
            expect(template.executor?.serviceAccountName, `${workflow}/${template.name}`).toBe(workflowExecutor.serviceAccount);
        }
    });

    it("steps that create workflows or patch Applications keep their runner's token", () => {
        const calling = podTemplates().filter(({ template }) => template.resource || template.container?.image === settings.images.gates);
        expect(calling.length).toBeGreaterThan(0);
        for (const { workflow, template } of calling) expect(tokenless(template), `${workflow}/${template.name}`).toBe(false);
    });

    it("the executor account lives in the workflows namespace, mounts no token of its own and may only report outputs", () => {
        expect(executorServiceAccount().metadata).toMatchObject({ name: workflowExecutor.serviceAccount, namespace: namespaces.workflows });
        expect(executorServiceAccount().automountServiceAccountToken).toBe(false);
        expect(executorRole().rules).toEqual([{ apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] }]);
        // Argo looks the token up as `<account>.service-account-token` (util/secrets TokenName).
        expect(executorTokenSecret().metadata!.name).toBe(`${workflowExecutor.serviceAccount}.service-account-token`);
        expect(executorTokenSecret().metadata!.annotations).toEqual({ "kubernetes.io/service-account.name": workflowExecutor.serviceAccount });
    });

    it("no runner has a role in argo, where the controller's and server's accounts live", () => {
        for (const name of Object.values(workflowTemplates).filter((t) => t !== workflowTemplates.trainModelCron)) {
            expect(Object.keys(runnerRules(name)), name).not.toContain(namespaces.argo);
            expect(Object.keys(runnerRules(name)), name).toContain(namespaces.workflows);
        }
    });
});
