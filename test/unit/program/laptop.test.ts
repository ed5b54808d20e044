import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isSecretValue, type ProgramRun, reveal, runProgram, stacksDir } from "../../support/program";

let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram(path.join(stacksDir, "Pulumi.laptop.yaml"));
});

describe("the existing-cluster (laptop) stack", () => {
    it("creates no OpenStack resources and runs no remote commands", () => {
        expect(run.resources.filter((r) => r.type.startsWith("openstack:") || r.type.startsWith("command:"))).toEqual([]);
    });

    it("builds the Kubernetes provider from the default kubeconfig, as a secret", () => {
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        expect(providers).toHaveLength(1);
        expect(isSecretValue(providers[0].inputs.kubeconfig)).toBe(true);
        expect(reveal(providers[0].inputs.kubeconfig)).toContain("server: https://k8s.example.test:6443");
    });

    it("exports the configured public address and a secret kubeconfig, and no SSH command", () => {
        expect(run.outputs.publicAddress).toBe("localhost");
        // No output at all rather than an undefined one, which Pulumi warns about on every run.
        expect(Object.keys(run.outputs)).not.toContain("sshCommand");
        expect(run.secretOutputs).toContain("kubeconfig");
    });
});
