import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { publishedPorts } from "../../../vocabulary/names";
import { isSecretValue, mockFloatingIp, mockJoinToken, type ProgramRun, reveal, runProgram, stacksDir } from "../../support/program";

let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"));
});

const ofType = (type: string) => run.resources.filter((r) => r.type === type);

describe("the chameleon stack", () => {
    it("builds the private network without port security or a gateway", () => {
        expect(ofType("openstack:networking/network:Network")).toEqual([
            expect.objectContaining({ name: "private-net-mlops-netid123", inputs: expect.objectContaining({ portSecurityEnabled: false }) }),
        ]);
        const [subnet] = ofType("openstack:networking/subnet:Subnet");
        expect(subnet.inputs).toMatchObject({ name: "private-subnet-mlops-netid123", cidr: "192.168.1.0/24", noGateway: true });
    });

    it("creates three nodes with a fixed private address each", () => {
        const instances = ofType("openstack:compute/instance:Instance");
        expect(instances.map((i) => i.name)).toEqual(["node1-mlops-netid123", "node2-mlops-netid123", "node3-mlops-netid123"]);
        for (const instance of instances) {
            expect(instance.inputs).toMatchObject({ imageName: "CC-Ubuntu24.04", flavorName: "m1.medium", keyPair: "id_rsa_chameleon" });
            expect(instance.inputs.userData).toContain(`127.0.1.1 ${instance.name}`);
            expect(instance.inputs.networks).toHaveLength(2);
        }
        const fixedIps = ofType("openstack:networking/port:Port")
            .filter((p) => p.name.startsWith("port-"))
            .map((p) => p.inputs.fixedIps[0].ipAddress);
        expect(fixedIps).toEqual(["192.168.1.11", "192.168.1.12", "192.168.1.13"]);
    });

    it("opens no port beyond the configured networks except the app's public address, canary and production", () => {
        const rules = ofType("openstack:networking/secGroupRule:SecGroupRule").map((r) => r.inputs);
        // The stack sets apiAllowedCidr only: the lab's network and SSH default to it.
        const allowed = new Set(["203.0.113.10/32"]);
        const beyond = rules.filter((r) => !allowed.has(r.remoteIpPrefix)).map((r) => [r.portRangeMin, r.portRangeMax, r.remoteIpPrefix]);
        expect(beyond.sort((a, b) => a[0] - b[0])).toEqual([
            [80, 80, "0.0.0.0/0"],
            [8080, 8080, "0.0.0.0/0"],
            [8082, 8082, "0.0.0.0/0"],
        ]);
        for (const rule of rules) {
            expect(rule, JSON.stringify(rule)).toMatchObject({ direction: "ingress", protocol: "tcp", ethertype: "IPv4" });
            expect(rule.portRangeMin).toBe(rule.portRangeMax);
        }
        expect(rules.map((r) => r.portRangeMin).sort((a, b) => a - b)).toEqual(publishedPorts.map((p) => p.port).sort((a, b) => a - b));
    });

    it("exports who can reach each port, and from where", () => {
        const rows = run.outputs.publishedPorts as Array<{ port: number; allowedFrom: string; authentication: string }>;
        expect(rows.map((r) => r.port)).toEqual(publishedPorts.map((p) => p.port));
        expect(rows.find((r) => r.port === 2746)).toMatchObject({ allowedFrom: "203.0.113.10/32", authentication: expect.stringMatching(/token/) });
        expect(rows.filter((r) => r.allowedFrom === "0.0.0.0/0").map((r) => r.port)).toEqual([8080, 80, 8082]);
    });

    it("puts the floating IP from the public pool on node1's shared-network port", () => {
        const [floatingIp] = ofType("openstack:networking/floatingIp:FloatingIp");
        expect(floatingIp.inputs).toMatchObject({ pool: "public", portId: "sharednet1-node1-mlops-netid123-id" });
    });

    it("installs the pinned K3s version on a server and two agents", () => {
        const commands = ofType("command:remote:Command");
        const installs = commands.filter((c) => /install-(server|agent)\.sh/.test(c.inputs.create));
        expect(installs.map((c) => c.name)).toEqual(["k3s-node1-server", "k3s-node2-agent", "k3s-node3-agent"]);
        for (const install of installs) {
            expect(install.inputs.create).toMatch(/K3S_VERSION=v1\.\d+\.\d+\+k3s\d+ /);
            expect(install.inputs.update).toBe(install.inputs.create);
            expect(install.inputs.delete).toMatch(/uninstall\.sh/);
        }
        expect(installs[0].inputs.create).toContain(`PUBLIC_IP=${mockFloatingIp}`);
        expect(installs[1].inputs.create).toContain("SERVER_URL=https://192.168.1.11:6443");
    });

    it("reaches the agents through node1 as a jump host", () => {
        const agent = ofType("command:remote:Command").find((c) => c.name === "k3s-node2-agent");
        // The connection carries the private key, so the whole connection is a secret.
        expect(isSecretValue(agent?.inputs.connection)).toBe(true);
        expect(reveal(agent?.inputs.connection)).toMatchObject({ host: "192.168.1.12", proxy: { host: mockFloatingIp, user: "cc" } });
    });

    it("never puts the join token on a command line and keeps it out of the logs", () => {
        for (const command of ofType("command:remote:Command")) {
            for (const field of ["create", "update", "delete"]) {
                expect(String(command.inputs[field] ?? "")).not.toContain(mockJoinToken);
            }
        }
        const tokenReader = ofType("command:remote:Command").find((c) => c.name === "k3s-join-token");
        expect(tokenReader?.inputs.logging).toBe("stderr");
        const agent = ofType("command:remote:Command").find((c) => c.name === "k3s-node2-agent");
        expect(isSecretValue(agent?.inputs.stdin)).toBe(true);
        expect(reveal(agent?.inputs.stdin)).toBe(`${mockJoinToken}\n`);
    });

    it("points containerd at the in-cluster registry on every node", () => {
        for (const install of ofType("command:remote:Command").filter((c) => /install-/.test(c.inputs.create))) {
            expect(install.inputs.create).toContain("REGISTRY_HOST=registry.kube-system.svc.cluster.local:5000");
            expect(install.inputs.create).toMatch(/REGISTRY_ENDPOINT=http:\/\/\S+/);
        }
    });

    it("exports the floating IP, an SSH command and the kubeconfig, secret, pointing at the floating IP", () => {
        expect(run.outputs.publicAddress).toBe(mockFloatingIp);
        expect(run.outputs.sshCommand).toMatch(/^ssh -i \S+\/\.ssh\/id_rsa_chameleon cc@198\.51\.100\.7$/);
        expect(run.outputs.kubeconfig).toContain(`server: https://${mockFloatingIp}:6443`);
        expect(run.secretOutputs).toContain("kubeconfig");
        expect(run.secretOutputs).not.toContain("publicAddress");
    });

    it("builds the Kubernetes provider from the K3s kubeconfig", () => {
        const [provider] = ofType("pulumi:providers:kubernetes");
        expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
        expect(reveal(provider.inputs.kubeconfig)).toContain(`https://${mockFloatingIp}:6443`);
    });
});
