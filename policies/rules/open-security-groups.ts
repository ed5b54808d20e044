import { ResourceValidationPolicy } from "@pulumi/policy";
import { portsFor } from "../../vocabulary/names";
import { withDefaults } from "../lib/config";
import { describeIngress, worldIngress } from "../lib/ingress";
import { openstackSecGroupRuleType } from "../lib/resource-types";

export const openSecurityGroupsPolicyName = "openstack-ingress-open-to-world";

export interface OpenSecurityGroupsConfig {
    allowedPorts: number[];
    allowIcmp: boolean;
}

export const openSecurityGroupsDefaults: OpenSecurityGroupsConfig = {
    // The ports whose audience is `public` in vocabulary/names publishedPorts: the app's public address, canary and production.
    allowedPorts: [...new Set(portsFor("public"))].sort((a, b) => a - b),
    allowIcmp: true,
};

/** What is wrong with one OpenStack security group rule, or undefined when it is fine. */
export function openIngressProblem(props: Record<string, unknown>, config: OpenSecurityGroupsConfig): string | undefined {
    const ingress = worldIngress(props);
    if (!ingress) return undefined;
    if (ingress.kind === "icmp") return config.allowIcmp ? undefined : describeIngress(ingress);
    if (ingress.kind !== "ports") return describeIngress(ingress);
    const allowed = new Set(config.allowedPorts);
    for (let port = ingress.min; port <= ingress.max; port++) {
        if (!allowed.has(port)) return `${describeIngress(ingress)}; only ${config.allowedPorts.join(", ")} may be`;
    }
    return undefined;
}

export const openSecurityGroups: ResourceValidationPolicy = {
    name: openSecurityGroupsPolicyName,
    description:
        "OpenStack security group rules open to the whole internet (0.0.0.0/0, ::/0, or no remote at all) cover only " +
        "the ports the lab serves publicly (the app: its public address, canary and production).",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["openstack", "networking"],
    remediationSteps:
        "Narrow remoteIpPrefix to the addresses that need access (gourmetgram:labAllowedCidr for the lab's own " +
        "network) or use remoteGroupId for node-to-node traffic. Add a port to allowedPorts in the policy pack " +
        "config only when it must be public.",
    configSchema: {
        properties: {
            allowedPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: openSecurityGroupsDefaults.allowedPorts,
                description: "Ports that may be open to the world (the published ports whose audience is public).",
            },
            allowIcmp: {
                type: "boolean",
                default: openSecurityGroupsDefaults.allowIcmp,
                description: "Whether ICMP (ping, path MTU discovery) may be open to the world.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== openstackSecGroupRuleType) return;
        const config = withDefaults(args.getConfig<Partial<OpenSecurityGroupsConfig>>(), openSecurityGroupsDefaults);
        const problem = openIngressProblem(args.props, config);
        if (problem) reportViolation(problem);
    },
};
