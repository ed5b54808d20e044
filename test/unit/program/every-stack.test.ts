import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isSecretValue, runProgram, stackFiles, stackName, stacksDir } from "../../support/program";

describe.each(stackFiles().map((file) => [stackName(file), file]))("stack %s", (_name, file) => {
    it("builds the whole program with one Kubernetes provider and a secret kubeconfig", async () => {
        const run = await runProgram(file);
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        expect(providers).toHaveLength(1);
        expect(isSecretValue(providers[0].inputs.kubeconfig)).toBe(true);
        expect(run.secretOutputs).toContain("kubeconfig");
        // Every in-cluster resource goes through that provider, never the ambient kubeconfig.
        for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            expect(resource.provider, `${resource.type} ${resource.name}`).toMatch(/pulumi:providers:kubernetes::cluster::/);
        }
    });
});

describe("chameleon variants", () => {
    const chameleon = path.join(stacksDir, "Pulumi.chameleon.yaml");

    it("schedules bare-metal nodes into the lease's reservation", async () => {
        const reservation = "0b5b1c4e-8d5c-4b8e-9a57-3f2e6d1c9a10";
        const run = await runProgram(chameleon, {
            "gourmetgram:site": "CHI@UC",
            "gourmetgram:flavor": "baremetal",
            "gourmetgram:reservation": reservation,
        });
        const instances = run.resources.filter((r) => r.type === "openstack:compute/instance:Instance");
        expect(instances).toHaveLength(3);
        for (const instance of instances) {
            expect(instance.inputs.flavorName).toBe("baremetal");
            expect(instance.inputs.schedulerHints).toEqual([{ additionalProperties: { reservation } }]);
        }
        const [provider] = run.resources.filter((r) => r.type === "pulumi:providers:openstack");
        expect(provider.inputs).toMatchObject({ region: "CHI@UC", authUrl: "https://chi.uc.chameleoncloud.org:5000/v3" });
    });

    it("registers a new key pair when given a public key instead of a key pair name", async () => {
        const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9vZ2xlIGlzIG5vdCBhIGtleQ student@laptop";
        const run = await runProgram(chameleon, { "gourmetgram:keyPairName": undefined, "gourmetgram:sshPublicKey": publicKey });
        const keypairs = run.resources.filter((r) => r.type === "openstack:compute/keypair:Keypair");
        expect(keypairs.map((k) => k.inputs)).toEqual([{ name: "key-mlops-netid123", publicKey }]);
        for (const instance of run.resources.filter((r) => r.type === "openstack:compute/instance:Instance")) {
            expect(instance.inputs.keyPair).toBe("key-mlops-netid123");
        }
    });

    it("treats an empty key pair name as a mistake, not as unset", async () => {
        const failure = await runProgram(chameleon, { "gourmetgram:keyPairName": "" }).then(
            () => undefined,
            (error: Error) => error,
        );
        expect(failure?.message).toMatch(/gourmetgram:keyPairName = "": expected the name of a key pair/);
    });

    it("upgrades in place when the K3s version changes", async () => {
        const run = await runProgram(chameleon, { "gourmetgram:k3sVersion": "v1.34.1+k3s1", "gourmetgram:nodeCount": "1" });
        const installs = run.resources.filter((r) => r.type === "command:remote:Command" && /install-/.test(r.inputs.create));
        expect(installs.map((c) => c.name)).toEqual(["k3s-node1-server"]);
        expect(installs[0].inputs.create).toContain("K3S_VERSION=v1.34.1+k3s1");
        expect(installs[0].inputs.update).toBe(installs[0].inputs.create);
    });
});
