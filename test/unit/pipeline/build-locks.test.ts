import { describe, expect, it } from "vitest";
import { environmentMutexName, environments, workflowTemplates, type Environment } from "../../../vocabulary/names";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import type { WorkflowTemplate } from "../../../pipeline/templates/argo-types";
import { settings } from "./fixtures";

const mutexNames = (sync: { mutexes?: Array<{ name?: string }> } | undefined) => (sync?.mutexes ?? []).map((m) => m.name!);

/** Environments whose image tag (`<env>-1.0.…`) a container step pushes: buildctl's `--output=type=image,"name=<refs>",push=true`. */
function pushedEnvironments(args: readonly string[]): Environment[] {
    const pushed = args
        .filter((a) => a.startsWith("--output=type=image,") && /,push=true(,|$)/.test(a))
        .flatMap((a) => (/"name=([^"]*)"/.exec(a)?.[1] ?? "").split(","));
    return environments.filter((env) => pushed.some((ref) => ref.includes(`:${env}-1.0.`)));
}

/** Every push of an environment's tag that runs without holding that environment's mutex, and every lock taken twice. */
function lockProblems(wt: WorkflowTemplate): string[] {
    const held = mutexNames(wt.spec.synchronization);
    const problems: string[] = [];
    for (const t of wt.spec.templates ?? []) {
        const own = mutexNames(t.synchronization);
        for (const name of own.filter((n) => held.includes(n))) problems.push(`${t.name} takes ${name}, which its workflow already holds (it would wait for itself)`);
        for (const env of pushedEnvironments(t.container?.args ?? [])) {
            if (![...held, ...own].includes(environmentMutexName(env))) problems.push(`${t.name} pushes ${env}'s tag without ${environmentMutexName(env)}`);
        }
    }
    return problems;
}

const templates = pipelineWorkflowTemplates(settings);
const named = (name: string) => templates.find((t) => t.metadata!.name === name)!;

describe("image pushes hold their environment's lock", () => {
    it.each(templates.map((t) => [t.metadata!.name!, t] as const))("%s pushes no environment's tag outside its lock", (_, wt) => {
        expect(lockProblems(wt)).toEqual([]);
    });

    it("build-container-image takes staging's lock for the push, the same mutex test-staging holds through its verdict", () => {
        const build = named(workflowTemplates.buildContainerImage);
        const push = build.spec.templates!.find((t) => t.name === "build-image")!;
        expect(pushedEnvironments(push.container!.args!)).toEqual(["staging"]);
        expect(mutexNames(push.synchronization)).toEqual([environmentMutexName("staging")]);
        expect(mutexNames(named(workflowTemplates.testStaging).spec.synchronization)).toContain(environmentMutexName("staging"));
        // Only the push waits: the MLflow download and the hand-off to test-staging hold no lock.
        expect(mutexNames(build.spec.synchronization)).toEqual([]);
    });

    it("build-initial pushes every environment's tag under the workflow's own locks, taking none twice", () => {
        const initial = named(workflowTemplates.buildInitial);
        expect(mutexNames(initial.spec.synchronization).sort()).toEqual(environments.map(environmentMutexName).sort());
        const push = initial.spec.templates!.find((t) => t.name === "build-image")!;
        expect(push.synchronization).toBeUndefined();
        expect(pushedEnvironments(push.container!.args!)).toEqual([...environments]);
    });

    it("reports a push without its lock, and a lock the workflow already holds", () => {
        const unlocked = structuredClone(named(workflowTemplates.buildContainerImage));
        delete unlocked.spec.templates!.find((t) => t.name === "build-image")!.synchronization;
        expect(lockProblems(unlocked)).toEqual([`build-image pushes staging's tag without ${environmentMutexName("staging")}`]);

        const twice = structuredClone(named(workflowTemplates.buildInitial));
        twice.spec.templates!.find((t) => t.name === "build-image")!.synchronization = { mutexes: [{ name: environmentMutexName("canary") }] };
        expect(lockProblems(twice)).toEqual([`build-image takes ${environmentMutexName("canary")}, which its workflow already holds (it would wait for itself)`]);
    });
});
