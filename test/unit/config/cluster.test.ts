import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterConfig } from "../../../infra/config/cluster";
import { ConfigError } from "../../../infra/config/errors";
import { loadStackConfig } from "../../../infra/config/load";

let dir: string;
let keyPath: string;

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-test-"));
    keyPath = path.join(dir, "id_ed25519");
    fs.writeFileSync(keyPath, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function chameleon(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string | undefined> = {
        "gourmetgram:suffix": "ab1234",
        "gourmetgram:keyPairName": "id_rsa_chameleon",
        "gourmetgram:sshPrivateKeyPath": keyPath,
        "gourmetgram:apiAllowedCidr": "203.0.113.7/32",
        ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

function load(raw: Record<string, string>) {
    return loadStackConfig("gourmetgram", raw, { cluster: clusterConfig }).cluster;
}

function problemsOf(raw: Record<string, string>): string[] {
    try {
        load(raw);
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.map((p) => `${p.key} = ${p.value ?? "(not set)"}: ${p.message}`);
    }
    throw new Error("expected the configuration to be rejected");
}

describe("chameleon stack config", () => {
    it("fills the documented defaults", () => {
        const settings = load(chameleon());
        expect(settings).toMatchObject({
            target: "chameleon",
            site: "KVM@TACC",
            image: "CC-Ubuntu24.04",
            nodeCount: 3,
            privateCidr: "192.168.1.0/24",
            sharedNetwork: "sharednet1",
            externalNetwork: "public",
            sshUser: "cc",
            placement: { flavorName: "m1.medium" },
            keyPair: { existingName: "id_rsa_chameleon" },
        });
    });

    it("launches a KVM reservation through its reservation flavor", () => {
        const id = "0b5b1c4e-8d5c-4b8e-9a57-3f2e6d1c9a10";
        expect(load(chameleon({ "gourmetgram:reservation": id }))).toMatchObject({ placement: { flavorName: `reservation:${id}` } });
    });

    it("schedules bare-metal nodes into the reservation with the baremetal flavor", () => {
        const id = "0b5b1c4e-8d5c-4b8e-9a57-3f2e6d1c9a10";
        const settings = load(chameleon({ "gourmetgram:site": "CHI@UC", "gourmetgram:reservation": id }));
        expect(settings).toMatchObject({ placement: { flavorName: "baremetal", reservationHint: id } });
    });

    it.each([
        ["gourmetgram:suffix", undefined, /gourmetgram:suffix = \(not set\): is required/],
        ["gourmetgram:suffix", "AB_12", /gourmetgram:suffix = AB_12: expected 1-24 lowercase letters/],
        ["gourmetgram:privateCidr", "192.168.1.0/33", /privateCidr = 192\.168\.1\.0\/33: expected an IPv4 network in CIDR form/],
        ["gourmetgram:privateCidr", "192.168.1.5/24", /privateCidr = 192\.168\.1\.5\/24: expected .*no host bits set/],
        ["gourmetgram:privateCidr", "8.8.8.0/24", /privateCidr = 8\.8\.8\.0\/24: must be inside private address space/],
        ["gourmetgram:privateCidr", "192.168.1.0/29", /privateCidr = 192\.168\.1\.0\/29: is too small for 3 nodes/],
        ["gourmetgram:site", "KVM@UC", /site = KVM@UC: expected one of "KVM@TACC", "CHI@TACC", "CHI@UC"/],
        ["gourmetgram:nodeCount", "0", /nodeCount = 0: expected a whole number from 1 to 7/],
        ["gourmetgram:nodeCount", "three", /nodeCount = three: expected a whole number/],
        ["gourmetgram:sshPrivateKeyPath", "/nonexistent/id_rsa", /sshPrivateKeyPath = \/nonexistent\/id_rsa: expected the path of an existing, readable SSH private key file/],
        ["gourmetgram:apiAllowedCidr", undefined, /apiAllowedCidr = \(not set\): is required: the network allowed to reach the Kubernetes API/],
        ["gourmetgram:reservation", "lease-1", /reservation = lease-1: expected a reservation id \(UUID\)/],
        ["gourmetgram:k3sVersion", "1.33", /k3sVersion = 1\.33: expected a K3s release such as v1\.33\.5\+k3s1/],
        ["gourmetgram:k3sInstallerSha256", "sha256:abc", /k3sInstallerSha256 = sha256:abc: expected a sha256 of 64 lowercase hex digits/],
        ["gourmetgram:k3sBinarySha256", "A".repeat(64), /k3sBinarySha256 = A{64}: expected a sha256 of 64 lowercase hex digits/],
        ["gourmetgram:image", "Ubuntu", /image = Ubuntu: expected one of "CC-Ubuntu24\.04"/],
    ])("rejects %s = %s", (key, value, expected) => {
        expect(problemsOf(chameleon({ [key]: value }))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    it("rejects a flavor together with a KVM reservation", () => {
        const problems = problemsOf(chameleon({ "gourmetgram:flavor": "m1.large", "gourmetgram:reservation": "0b5b1c4e-8d5c-4b8e-9a57-3f2e6d1c9a10" }));
        expect(problems).toEqual([expect.stringMatching(/flavor = m1\.large: set either flavor or reservation at KVM@TACC, not both/)]);
    });

    it("requires a reservation on bare metal and refuses other flavors there", () => {
        const problems = problemsOf(chameleon({ "gourmetgram:site": "CHI@TACC", "gourmetgram:flavor": "m1.medium" }));
        expect(problems).toEqual([
            expect.stringMatching(/reservation = \(not set\): is required at CHI@TACC/),
            expect.stringMatching(/flavor = m1\.medium: must be "baremetal"/),
        ]);
    });

    it("refuses a GPU image on the KVM site", () => {
        expect(problemsOf(chameleon({ "gourmetgram:image": "CC-Ubuntu24.04-CUDA" }))).toEqual([
            expect.stringMatching(/image = CC-Ubuntu24\.04-CUDA: .*needs a GPU node/),
        ]);
    });

    it("needs exactly one way to give the node key pair", () => {
        const both = chameleon({ "gourmetgram:sshPublicKey": "ssh-ed25519 AAAAC3Nza user@host" });
        expect(problemsOf(both)).toEqual([expect.stringMatching(/keyPairName = .*set exactly one of keyPairName .* or sshPublicKey/)]);
        const neither = chameleon({ "gourmetgram:keyPairName": undefined });
        expect(problemsOf(neither)).toEqual([expect.stringMatching(/keyPairName = \(not set\): set exactly one/)]);
    });

    it("opens the UIs and SSH to the API's network unless the stack names another", () => {
        expect(load(chameleon())).toMatchObject({ apiAllowedCidr: "203.0.113.7/32", labAllowedCidr: "203.0.113.7/32", sshAllowedCidr: "203.0.113.7/32" });
        expect(load(chameleon({ "gourmetgram:labAllowedCidr": "198.51.100.0/24" }))).toMatchObject({
            labAllowedCidr: "198.51.100.0/24",
            sshAllowedCidr: "198.51.100.0/24",
        });
        expect(load(chameleon({ "gourmetgram:sshAllowedCidr": "198.51.100.9/32" }))).toMatchObject({ labAllowedCidr: "203.0.113.7/32", sshAllowedCidr: "198.51.100.9/32" });
    });

    it.each([
        ["gourmetgram:labAllowedCidr", "0.0.0.0/0", /labAllowedCidr = 0\.0\.0\.0\/0: opens MLflow, the MinIO console, Argo Workflows, Argo CD and staging to the whole internet; .*allowWorldOpenNetworks/],
        ["gourmetgram:apiAllowedCidr", "0.0.0.0/0", /apiAllowedCidr = 0\.0\.0\.0\/0: opens the Kubernetes API \(port 6443\) to the whole internet/],
        ["gourmetgram:sshAllowedCidr", "0.0.0.0/0", /sshAllowedCidr = 0\.0\.0\.0\/0: opens SSH to the nodes to the whole internet/],
        ["gourmetgram:labAllowedCidr", "0.0.0.0/1", /labAllowedCidr = 0\.0\.0\.0\/1: opens MLflow/],
    ])("refuses %s = %s unless allowWorldOpenNetworks says so", (key, value, message) => {
        expect(problemsOf(chameleon({ [key]: value }))).toEqual([expect.stringMatching(message)]);
        expect(() => load(chameleon({ [key]: value, "gourmetgram:allowWorldOpenNetworks": "true" }))).not.toThrow();
    });

    it("accepts networks up to a /8", () => {
        expect(load(chameleon({ "gourmetgram:labAllowedCidr": "10.0.0.0/8" }))).toMatchObject({ labAllowedCidr: "10.0.0.0/8" });
    });

    it("names unknown keys in the project namespace and lists the known ones, hiding their values", () => {
        // A misspelt key may be a misspelt secret: its value is never shown.
        const problems = problemsOf(chameleon({ "gourmetgram:sufix": "ab1234" }));
        expect(problems).toEqual([expect.stringMatching(/gourmetgram:sufix = \[secret\]: is not a setting of this project; known settings are .*suffix/)]);
    });

    it("reports every problem at once, not only the first", () => {
        const problems = problemsOf({ "gourmetgram:privateCidr": "nonsense", "gourmetgram:nodeCount": "99" });
        expect(problems.length).toBeGreaterThanOrEqual(2);
        expect(problems.join("\n")).toMatch(/privateCidr[\s\S]*nodeCount|nodeCount[\s\S]*privateCidr/);
    });

    it("ignores other namespaces (provider settings such as kubernetes:context)", () => {
        expect(load(chameleon({ "openstack:region": "KVM@TACC" })).target).toBe("chameleon");
    });
});

describe("existing-cluster stack config", () => {
    it("takes the kubeconfig path and context", () => {
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\n");
        const settings = load({ "gourmetgram:target": "existing-cluster", "gourmetgram:kubeconfig": kubeconfig, "gourmetgram:kubeconfigContext": "lab" });
        expect(settings).toEqual({ target: "existing-cluster", kubeconfigPath: kubeconfig, kubeconfigContext: "lab", publicAddress: undefined });
    });

    it("rejects a kubeconfig path that does not exist", () => {
        expect(problemsOf({ "gourmetgram:target": "existing-cluster", "gourmetgram:kubeconfig": "/nonexistent/kubeconfig" })).toEqual([
            expect.stringMatching(/kubeconfig = \/nonexistent\/kubeconfig: expected the path of an existing, readable kubeconfig file/),
        ]);
    });

    it("rejects Chameleon settings on an existing-cluster stack", () => {
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\n");
        expect(problemsOf({ "gourmetgram:target": "existing-cluster", "gourmetgram:kubeconfig": kubeconfig, "gourmetgram:suffix": "ab1234" })).toEqual([
            expect.stringMatching(/suffix = ab1234: is only used when target is "chameleon"/),
        ]);
    });

    it("rejects an unknown target", () => {
        expect(problemsOf({ "gourmetgram:target": "aws" })).toEqual([expect.stringMatching(/target = aws: expected one of "chameleon", "existing-cluster"/)]);
    });
});
