/**
 * The workflow controller runs with `templateReferencing: Strict` (infra/platform/argo/access.ts):
 * a Workflow must reference a WorkflowTemplate and may set only the WorkflowSpec fields Argo's
 * allow-list names (workflow/util/merge.go, allowedUserOverrideFields). Every Workflow the
 * pipeline itself creates (the submit steps, the CronWorkflow, the GitHub sensor) must pass it,
 * or the controller would refuse the pipeline's own runs.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { trainOnPushSensor } from "../../../pipeline/events/github-trigger";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { cron, settings } from "./fixtures";

/** Argo's allow-list, by JSON name. */
const allowed = new Set([
    "arguments", "entrypoint", "shutdown", "suspend", "activeDeadlineSeconds", "priority", "ttlStrategy",
    "podGC", "volumeClaimGC", "archiveLogs", "workflowMetadata", "workflowTemplateRef", "metrics", "artifactGC",
]);

function submittedSpecs(): Array<{ where: string; spec: Record<string, unknown> }> {
    const specs: Array<{ where: string; spec: Record<string, unknown> }> = [];
    for (const template of pipelineWorkflowTemplates(settings)) {
        for (const step of template.spec.templates ?? []) {
            if (step.resource?.action !== "create") continue;
            const object = parse(step.resource.manifest ?? "") as { kind: string; spec: Record<string, unknown> };
            if (object.kind === "Workflow") specs.push({ where: `${template.metadata.name}/${step.name}`, spec: object.spec });
        }
    }
    for (const c of pipelineCronWorkflows(settings, cron)) specs.push({ where: c.metadata.name as string, spec: c.spec.workflowSpec as Record<string, unknown> });
    for (const trigger of trainOnPushSensor().spec.triggers ?? []) {
        const resource = (trigger.template as any)?.k8s?.source?.resource;
        if (resource) specs.push({ where: "train-on-push sensor", spec: resource.spec });
    }
    return specs;
}

describe("the pipeline's own Workflows under templateReferencing: Strict", () => {
    it("all reference a WorkflowTemplate and set only allow-listed fields", () => {
        const specs = submittedSpecs();
        expect(specs.length).toBeGreaterThanOrEqual(3);
        expect(specs.map((s) => s.where)).toEqual(expect.arrayContaining(["train-model-cron", "train-on-push sensor"]));
        for (const { where, spec } of specs) {
            expect(spec.workflowTemplateRef, where).toBeDefined();
            expect(Object.keys(spec).filter((key) => !allowed.has(key)), where).toEqual([]);
        }
    });

    it("would notice a Workflow that overrides its service account or pod spec", () => {
        const overriding = { workflowTemplateRef: { name: "x" }, serviceAccountName: "argo-server", podSpecPatch: "{}" };
        expect(Object.keys(overriding).filter((key) => !allowed.has(key))).toEqual(["serviceAccountName", "podSpecPatch"]);
    });
});
