import { describe, expect, it } from "vitest";
import { checkWhen, checkWorkflows } from "../../support/workflow-check/references";
import type { WorkflowTemplate } from "../../../pipeline/templates/argo-types";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { cron, settings } from "./fixtures";

const fresh = () => pipelineWorkflowTemplates(settings);
const find = (all: WorkflowTemplate[], name: string) => all.find((t) => t.metadata.name === name)!;
const template = (wt: WorkflowTemplate, name: string) => wt.spec.templates!.find((t) => t.name === name)!;

describe("the pipeline's references all resolve", () => {
    it("finds no problem in the real templates and cron", () => {
        expect(checkWorkflows(fresh(), pipelineCronWorkflows(settings, cron))).toEqual([]);
    });
});

describe("the checker catches each kind of broken reference", () => {
    const expectProblem = (mutate: (all: WorkflowTemplate[]) => void, message: RegExp) => {
        const all = fresh();
        mutate(all);
        const problems = checkWorkflows(all);
        expect(problems.map((p) => p.message).join("\n")).toMatch(message);
    };

    it("an undeclared input", () => {
        expectProblem((all) => {
            template(find(all, "train-model"), "train").container!.args!.push("{{inputs.parameters.nope}}");
        }, /declares no such input/);
    });

    it("an undeclared workflow parameter", () => {
        expectProblem((all) => {
            find(all, "test-staging").spec.templates![0].steps![0][0].arguments!.parameters![1].value = "{{workflow.parameters.versoin}}";
        }, /workflow declares no such parameter/);
    });

    it("a step that reads a step of the same or a later group", () => {
        expectProblem((all) => {
            find(all, "test-staging").spec.templates![0].steps![1][0].when = "{{steps.load-gate.status}} == Succeeded";
        }, /no step load-gate runs before this one/);
    });

    it("an output the step's template does not declare", () => {
        expectProblem((all) => {
            find(all, "train-model").spec.templates![0].steps![1][0].arguments!.parameters![0].value = "{{steps.train.outputs.parameters.version}}";
        }, /has no output version/);
    });

    it("a decision on a step's stdout", () => {
        expectProblem((all) => {
            find(all, "train-model").spec.templates![0].steps![1][0].when = "{{steps.train.outputs.result}} == pass";
        }, /whole stdout/);
    });

    it("a step naming a template that does not exist, locally or by templateRef", () => {
        expectProblem((all) => {
            find(all, "train-model").spec.templates![0].steps![0][0].template = "trian";
        }, /runs template trian, which does not exist/);
        expectProblem((all) => {
            find(all, "test-staging").spec.templates![0].steps![0][0].templateRef!.template = "gone";
        }, /deploy-container-image\/gone, which does not exist/);
    });

    it("a required parameter not passed, an unknown one passed, a literal outside the enum", () => {
        expectProblem((all) => {
            find(all, "test-staging").spec.templates![0].steps![0][0].arguments!.parameters!.pop();
        }, /requires parameter version/);
        expectProblem((all) => {
            find(all, "test-staging").spec.templates![0].steps![0][0].arguments!.parameters!.push({ name: "colour", value: "x" });
        }, /has no parameter colour/);
        const crons = pipelineCronWorkflows(settings, { ...cron, scenario: "tiny" });
        expect(checkWorkflows(fresh(), crons).map((p) => p.message).join()).toMatch(/scenario=tiny is not one of normal/);
    });

    it("a submitted Workflow naming a missing WorkflowTemplate", () => {
        const all = fresh().filter((t) => t.metadata.name !== "build-container-image");
        expect(checkWorkflows(all).map((p) => p.message).join()).toMatch(/submits WorkflowTemplate build-container-image, which does not exist/);
    });

    it("the singular mutex and schedule that Argo v4 removed", () => {
        expectProblem((all) => {
            (find(all, "revert-staging").spec.synchronization as Record<string, unknown>).mutex = { name: "x" };
        }, /synchronization.mutex was removed in Argo v4: use mutexes/);
        const [c] = pipelineCronWorkflows(settings, cron);
        (c.spec as Record<string, unknown>).schedule = "0 2 * * *";
        expect(checkWorkflows(fresh(), [c]).map((p) => p.message).join()).toMatch(/use schedules/);
    });

    it("expression placeholders it cannot prove", () => {
        expectProblem((all) => {
            template(find(all, "train-model"), "train").container!.args!.push("{{=inputs.parameters.scenario}}");
        }, /expressions are not used/);
    });
});

describe("when expressions parse for every value their references can take", () => {
    it("accepts quoted outputs and bare statuses", () => {
        expect(checkWhen("x", "'{{steps.a.outputs.parameters.v}}' =~ '^[0-9]+$'")).toEqual([]);
        expect(checkWhen("x", "{{steps.a.status}} == Succeeded && !({{steps.b.status}} != Succeeded)")).toEqual([]);
    });

    it("rejects an unquoted output, which breaks when it is empty or holds a dash", () => {
        const problems = checkWhen("x", "{{steps.a.outputs.parameters.v}} != ''");
        expect(problems.length).toBeGreaterThan(0);
        expect(problems[0].message).toMatch(/does not evaluate/);
    });

    it("rejects syntax errors and non-boolean results", () => {
        expect(checkWhen("x", "{{steps.a.status}} == ")).not.toEqual([]);
        expect(checkWhen("x", "'{{steps.a.outputs.parameters.v}}'")).not.toEqual([]);
    });
});
