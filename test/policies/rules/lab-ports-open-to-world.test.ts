import * as openstack from "@pulumi/openstack";
import { describe, expect, it } from "vitest";
import { environmentPorts, platformPublicPorts, publishedPorts } from "../../../vocabulary/names";
import { labPortsDefaults, labPortsOpenToWorld } from "../../../policies/rules/lab-ports-open-to-world";
import { createArgsForType, createResourceValidationArgs, expectNoViolations, expectViolation, runResourcePolicy } from "../util";

type RuleArgs = Parameters<typeof createResourceValidationArgs<openstack.networking.SecGroupRule, openstack.networking.SecGroupRuleArgs>>[1];

const rule = (overrides: Partial<RuleArgs>, config?: object) =>
    createResourceValidationArgs(
        openstack.networking.SecGroupRule,
        { direction: "ingress", ethertype: "IPv4", securityGroupId: "sg", protocol: "tcp", remoteIpPrefix: "0.0.0.0/0", ...overrides },
        { config },
    );
const port = (n: number) => ({ portRangeMin: n, portRangeMax: n });

describe("openstack-lab-ports-open-to-world", () => {
    it("is mandatory", () => {
        expect(labPortsOpenToWorld.enforcementLevel).toBe("mandatory");
    });

    it("protects every UI, staging and the Kubernetes API by default, from the one table of published ports", () => {
        expect(labPortsDefaults.protectedPorts).toEqual(
            [...Object.values(platformPublicPorts), environmentPorts.staging, 6443].sort((a, b) => a - b),
        );
        const lab = publishedPorts.filter((p) => p.audience !== "public" && p.name !== "ssh").map((p) => p.port);
        expect(labPortsDefaults.protectedPorts).toEqual(lab.sort((a, b) => a - b));
    });

    it.each([
        [platformPublicPorts.mlflow, "8000 (MLflow UI and REST API)"],
        [platformPublicPorts.argoWorkflows, "2746 (Argo Workflows UI and API)"],
        [platformPublicPorts.argoCd, "8443 (Argo CD UI and API)"],
        [platformPublicPorts.minioConsole, "9001 (MinIO console)"],
        [environmentPorts.staging, "8081 (GourmetGram app, staging)"],
        [6443, "6443 (Kubernetes API (K3s))"],
    ])("rejects port %d open to the world", async (n, named) => {
        await expectViolation(labPortsOpenToWorld, rule(port(n)), `ingress tcp port ${n} is open to 0.0.0.0/0, exposing ${named}`);
    });

    it.each([
        [{ portRangeMin: 2000, portRangeMax: 3000 }, "2746"],
        [{ portRangeMin: undefined, portRangeMax: undefined }, "every tcp port"],
        [{ protocol: undefined }, "every protocol and port"],
        [{ remoteIpPrefix: "::/0", ethertype: "IPv6", ...port(8000) }, "open to ::/0"],
        [{ remoteIpPrefix: undefined, ...port(9001) }, "any address"],
    ])("rejects a world-open rule that covers a UI port: %j", async (overrides, fragment) => {
        await expectViolation(labPortsOpenToWorld, rule(overrides), fragment);
    });

    it.each([
        [{ ...port(8000), remoteIpPrefix: "203.0.113.10/32" }],
        [{ ...port(2746), remoteIpPrefix: "10.0.0.0/8" }],
        [{ remoteIpPrefix: undefined, remoteGroupId: "sg-nodes", portRangeMin: 1, portRangeMax: 65535 }],
        [{ ...port(environmentPorts.production) }],
        [{ ...port(environmentPorts.canary) }],
        [{ ...port(22) }],
        [{ protocol: "icmp" }],
        [{ direction: "egress", protocol: undefined }],
    ])("accepts %j", async (overrides) => {
        await expectNoViolations(labPortsOpenToWorld, rule(overrides));
    });

    it("follows protectedPorts from the pack config", async () => {
        await expectNoViolations(labPortsOpenToWorld, rule(port(8000), { protectedPorts: [2746] }));
        await expectViolation(labPortsOpenToWorld, rule(port(22), { protectedPorts: [22] }), "port 22");
    });

    it("ignores resources that are not security group rules", async () => {
        const found = await runResourcePolicy(labPortsOpenToWorld, createArgsForType("kubernetes:core/v1:Service", { spec: { type: "LoadBalancer" } }));
        expect(found).toEqual([]);
    });
});
