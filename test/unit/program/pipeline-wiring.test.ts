import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { workflowTemplates } from "../../../vocabulary/names";
import { type ProgramRun, runProgram, stacksDir } from "../../support/program";

let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram(path.join(stacksDir, "Pulumi.laptop.yaml"));
});

const images = (value: unknown): string[] =>
    JSON.stringify(value).match(/registry\.kube-system\.svc\.cluster\.local:5000\/gourmetgram-(?:gates|train):[^"\\]+/g) ?? [];

describe("the pipeline in the program", () => {
    it("registers every WorkflowTemplate and the training CronWorkflow in the workflows namespace", () => {
        const templates = run.resources.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate");
        const crons = run.resources.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:CronWorkflow");
        const { trainModelCron, ...templateNames } = workflowTemplates;
        expect(templates.map((t) => t.inputs.metadata.name).sort()).toEqual(Object.values(templateNames).sort());
        expect(crons.map((c) => c.inputs.metadata.name)).toEqual([trainModelCron]);
        for (const resource of [...templates, ...crons]) expect(resource.inputs.metadata.namespace).toBe("gourmetgram-workflows");
    });

    it("runs the gate and training images built in the cluster, by content tag", () => {
        const referenced = new Set(run.resources.filter((r) => r.type.startsWith("kubernetes:argoproj.io")).flatMap((r) => images(r.inputs)));
        const repositories = [...referenced].map((image) => image.replace(/^.*\/(gourmetgram-[a-z]+):.*$/, "$1"));
        expect(new Set(repositories)).toEqual(new Set(["gourmetgram-gates", "gourmetgram-train"]));
        for (const image of referenced) expect(image).toMatch(/:src-[0-9a-f]{24}$/);
        const builds = run.resources.filter((r) => r.type === "kubernetes:batch/v1:Job" && /-build$/.test(r.name));
        expect(builds.map((b) => b.name)).toEqual(expect.arrayContaining(["pipeline-images-gates-build", "pipeline-images-train-build"]));
    });
});
