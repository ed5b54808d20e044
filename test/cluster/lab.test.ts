/**
 * The whole lab on the one-node cluster (rung 4 of the verification ladder, with the program and
 * the pipeline): `pulumi up` of stacks/Pulumi.local.yaml through the real engine, every readiness
 * awaited, images built on this machine standing in for the published ones (harness/lab.ts).
 *
 * One lab serves the whole file, in the order a user meets it: the lab's own checks
 * (scenarios/lab-checks.ts), then the pipeline's scenarios on it (scenarios/pipeline-scenarios.ts),
 * then a second up changes nothing, destroy leaves nothing and the machine is as it was.
 */
import { describe, expect, it } from "vitest";
import { namespaces } from "../../vocabulary/names";
import { minutes, useLabSession, type Obj } from "./harness/lab-session";
import { describeWithCluster } from "./harness/suite";
import { labChecks } from "./scenarios/lab-checks";
import { pipelineScenarios } from "./scenarios/pipeline-scenarios";

const labNamespaces: string[] = [namespaces.platform, namespaces.argo, namespaces.workflows, namespaces.argocd, namespaces.staging, namespaces.canary, namespaces.production];

describeWithCluster("the lab on the one-node cluster, through pulumi up", (tools) => {
    const session = useLabSession(tools);

    describe("as pulumi up leaves it", () => labChecks(session));

    describe("the pipeline, as a student runs it", () => pipelineScenarios(session));

    describe("after the pipeline's runs", () => {
        it("changes nothing on a second up", async () => {
            const again = await session.lab.engine.stack.up();
            const changed = Object.entries(again.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
            expect(Object.fromEntries(changed)).toEqual({});
        }, minutes(15));

        it("leaves nothing of the lab on destroy", async () => {
            const started = Date.now();
            await session.lab.engine.stack.destroy();
            session.timings.destroy = Date.now() - started;
            const left = (await session.getJson("namespaces")).items.map((n: Obj) => n.metadata.name).filter((n: string) => labNamespaces.includes(n));
            expect(left).toEqual([]);
            console.log(`lab: destroy in ${Math.round(session.timings.destroy / 1000)} s`);
        }, minutes(15));
    });
});
