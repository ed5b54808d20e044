/**
 * The chameleon stack with its UIs deliberately opened to the world (allowWorldOpenNetworks lets
 * the config through): the pack's mandatory rule still refuses it, naming every UI port, while
 * the default stack passes.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/policies";
import { labPortsOpenToWorldPolicyName } from "../../policies/rules/lab-ports-open-to-world";
import { runProgram, stacksDir } from "../support/program";
import { asPolicyProps, runPack } from "./util";

const chameleon = path.join(stacksDir, "Pulumi.chameleon.yaml");
const ruleType = "openstack:networking/secGroupRule:SecGroupRule";

async function labPortViolations(overrides: Record<string, string>) {
    const { resources } = await runProgram(chameleon, overrides);
    const rules = resources.filter((r) => r.type === ruleType);
    expect(rules.length).toBeGreaterThan(5);
    const found = [];
    for (const rule of rules) {
        const violations = await runPack(policies, rule.type, asPolicyProps(rule.inputs), {}, rule.name);
        found.push(...violations.filter((v) => v.policy === labPortsOpenToWorldPolicyName));
    }
    return found;
}

describe("the chameleon stack's security group under the policy pack", () => {
    it("passes by default", async () => {
        expect(await labPortViolations({})).toEqual([]);
    });

    it("is refused, mandatory, when the lab's network is the whole internet", async () => {
        const found = await labPortViolations({ "gourmetgram:labAllowedCidr": "0.0.0.0/0", "gourmetgram:allowWorldOpenNetworks": "true" });
        expect(found.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
        const messages = found.map((v) => v.message).join("\n");
        for (const port of ["8000 (MLflow", "2746 (Argo Workflows", "8443 (Argo CD", "9001 (MinIO console", "8081 (GourmetGram app, staging"]) {
            expect(messages).toContain(port);
        }
        expect(found).toHaveLength(5);
    });
});
