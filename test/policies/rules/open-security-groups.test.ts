import * as openstack from "@pulumi/openstack";
import { describe, expect, it } from "vitest";
import { environmentPorts, portsFor, publicAppPort } from "../../../vocabulary/names";
import { openSecurityGroups, openSecurityGroupsDefaults } from "../../../policies/rules/open-security-groups";
import { createResourceValidationArgs, expectNoViolations, expectViolation } from "../util";

type RuleArgs = Parameters<typeof createResourceValidationArgs<openstack.networking.SecGroupRule, openstack.networking.SecGroupRuleArgs>>[1];

const rule = (overrides: Partial<RuleArgs>, config?: object) =>
    createResourceValidationArgs(
        openstack.networking.SecGroupRule,
        { direction: "ingress", ethertype: "IPv4", securityGroupId: "sg", protocol: "tcp", remoteIpPrefix: "0.0.0.0/0", ...overrides },
        { config },
    );

describe("openstack-ingress-open-to-world", () => {
    it("allows only the public app (its public address, canary, production) from anywhere by default", async () => {
        expect(openSecurityGroupsDefaults.allowedPorts).toEqual([publicAppPort, environmentPorts.canary, environmentPorts.production]);
        expect(openSecurityGroupsDefaults.allowedPorts).toEqual(portsFor("public").sort((a, b) => a - b));
        for (const port of openSecurityGroupsDefaults.allowedPorts) {
            await expectNoViolations(openSecurityGroups, rule({ portRangeMin: port, portRangeMax: port }));
        }
    });

    it.each([22, environmentPorts.staging])("flags world-open port %d, which belongs to the lab's network", async (port) => {
        await expectViolation(openSecurityGroups, rule({ portRangeMin: port, portRangeMax: port }), `port ${port} is open to 0.0.0.0/0; only 80, 8080, 8082 may be`);
    });

    it.each([
        [{ portRangeMin: 6443, portRangeMax: 6443 }, "ingress tcp port 6443 is open to 0.0.0.0/0"],
        [{ portRangeMin: 1, portRangeMax: 65535 }, "ports 1-65535"],
        [{ portRangeMin: 8000, portRangeMax: 8100 }, "ports 8000-8100"],
        [{ protocol: "udp", portRangeMin: 8472, portRangeMax: 8472 }, "ingress udp port 8472"],
        [{ protocol: undefined }, "every protocol and port"],
        [{ portRangeMin: undefined, portRangeMax: undefined }, "every tcp port"],
        [{ remoteIpPrefix: "::/0", ethertype: "IPv6", portRangeMin: 5432, portRangeMax: 5432 }, "open to ::/0"],
        [{ remoteIpPrefix: undefined, portRangeMin: 9000, portRangeMax: 9000 }, "any address (no remoteIpPrefix or remoteGroupId)"],
    ])("flags %j", async (overrides, fragment) => {
        await expectViolation(openSecurityGroups, rule(overrides), fragment);
    });

    it.each([
        [{ remoteIpPrefix: "10.0.0.0/24", portRangeMin: 6443, portRangeMax: 6443 }],
        [{ remoteIpPrefix: undefined, remoteGroupId: "sg-nodes", portRangeMin: 1, portRangeMax: 65535 }],
        [{ direction: "egress", protocol: undefined }],
        [{ protocol: "icmp" }],
    ])("accepts %j", async (overrides) => {
        await expectNoViolations(openSecurityGroups, rule(overrides));
    });

    it("follows config for extra public ports and ICMP", async () => {
        await expectNoViolations(openSecurityGroups, rule({ portRangeMin: 443, portRangeMax: 443 }, { allowedPorts: [22, 443] }));
        await expectViolation(openSecurityGroups, rule({ protocol: "icmp" }, { allowIcmp: false }), "ICMP is open");
    });

    it("is advisory", () => {
        expect(openSecurityGroups.enforcementLevel).toBe("advisory");
    });
});
