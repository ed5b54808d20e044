/**
 * The pipeline's own WorkflowTemplates and CronWorkflow, straight from their builders, through the
 * whole pack: until the composition root registers them, this is where their specs meet the rules.
 */
import { describe, expect, it } from "vitest";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "../../pipeline/templates";
import { policies } from "../../policies/policies";
import { workloadOf } from "../../policies/lib/workloads";
import { cron, settings } from "../unit/pipeline/fixtures";
import { asPolicyProps, runPack } from "./util";

const objects = [...pipelineWorkflowTemplates(settings), ...pipelineCronWorkflows(settings, cron)];

describe.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))("%s", (_name, object) => {
    const type = `kubernetes:${object.apiVersion}:${object.kind}`;
    const props = asPolicyProps(object as unknown as Record<string, unknown>);

    it("passes every mandatory policy", async () => {
        const mandatory = (await runPack(policies, type, props)).filter((v) => v.enforcementLevel === "mandatory");
        expect(mandatory.map((v) => `[${v.policy}] ${v.message}`)).toEqual([]);
    });
});

it("the pipeline runs containers the pack checks", () => {
    const containers = objects.flatMap((o) => workloadOf(`kubernetes:${o.apiVersion}:${o.kind}`, asPolicyProps(o as never))?.containers ?? []);
    expect(containers.length).toBeGreaterThan(objects.length);
});
