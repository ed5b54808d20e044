/**
 * The whole pack over every resource the program registers, for each stack in stacks/: the program
 * as written must pass every mandatory rule. Resources go through the same deserialization the
 * policy server applies (secrets unwrapped, unknowns guarded), so a rule sees what it sees under
 * `pulumi preview --policy-pack policies`.
 */
import { describe, expect, it } from "vitest";
import { isPodBearingType } from "../../policies/lib/workloads";
import { policies } from "../../policies/policies";
import { runProgram, stackFiles, stackName } from "../support/program";
import { asPolicyProps, runPack, Violation } from "./util";

describe.each(stackFiles().map((file) => [stackName(file), file]))("stack %s", (_name, file) => {
    it("passes every mandatory policy", async () => {
        const { resources } = await runProgram(file);
        // The check is only worth something if the program's workloads are in the graph.
        expect(resources.filter((r) => isPodBearingType(r.type)).length).toBeGreaterThan(0);

        const violations: Array<Violation & { resource: string }> = [];
        for (const resource of resources) {
            const found = await runPack(policies, resource.type, asPolicyProps(resource.inputs), {}, resource.name);
            violations.push(...found.map((v) => ({ ...v, resource: `${resource.type}::${resource.name}` })));
        }
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
        expect(mandatory.map((v) => `${v.resource} [${v.policy}] ${v.message}`)).toEqual([]);
    });
});
