import { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentPorts } from "../../infra/names";
import { withDefaults } from "../lib/config";
import { openstackSecGroupRuleType } from "../lib/resource-types";

export const openSecurityGroupsPolicyName = "openstack-ingress-open-to-world";

export interface OpenSecurityGroupsConfig {
    allowedPorts: number[];
    allowIcmp: boolean;
}

export const openSecurityGroupsDefaults: OpenSecurityGroupsConfig = {
    allowedPorts: [22, ...new Set(Object.values(environmentPorts))].sort((a, b) => a - b),
    allowIcmp: true,
};

const worldPrefixes = new Set(["0.0.0.0/0", "::/0"]);

/** What is wrong with one OpenStack security group rule, or undefined when it is fine. */
export function openIngressProblem(props: Record<string, unknown>, config: OpenSecurityGroupsConfig): string | undefined {
    if (String(props.direction ?? "").toLowerCase() !== "ingress") return undefined;
    // Neutron treats a rule with neither a remote prefix nor a remote group as open to every address.
    const prefix = typeof props.remoteIpPrefix === "string" ? props.remoteIpPrefix.trim() : "";
    const openToWorld = worldPrefixes.has(prefix) || (prefix === "" && !props.remoteGroupId);
    if (!openToWorld) return undefined;
    const source = prefix === "" ? "any address (no remoteIpPrefix or remoteGroupId)" : prefix;

    const protocol = typeof props.protocol === "string" ? props.protocol.toLowerCase() : "";
    if (protocol === "icmp" || protocol === "ipv6-icmp") {
        return config.allowIcmp ? undefined : `ingress ICMP is open to ${source}`;
    }
    if (protocol === "") return `ingress on every protocol and port is open to ${source}`;

    const min = typeof props.portRangeMin === "number" ? props.portRangeMin : undefined;
    const max = typeof props.portRangeMax === "number" ? props.portRangeMax : min;
    if (min === undefined || max === undefined) return `ingress on every ${protocol} port is open to ${source}`;
    const allowed = new Set(config.allowedPorts);
    const outside: number[] = [];
    for (let port = min; port <= max && outside.length < 5; port++) if (!allowed.has(port)) outside.push(port);
    if (outside.length === 0) return undefined;
    const range = min === max ? `port ${min}` : `ports ${min}-${max}`;
    return `ingress ${protocol} ${range} is open to ${source}; only ${config.allowedPorts.join(", ")} may be`;
}

export const openSecurityGroups: ResourceValidationPolicy = {
    name: openSecurityGroupsPolicyName,
    description:
        "OpenStack security group rules open to the whole internet (0.0.0.0/0, ::/0, or no remote at all) cover only " +
        "SSH and the app environments' ports.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["openstack", "networking"],
    remediationSteps:
        "Narrow remoteIpPrefix to the addresses that need access (your network, the cluster's subnet) or use " +
        "remoteGroupId for node-to-node traffic; keep world-open ingress to SSH and the app ports. Add a port to " +
        "allowedPorts in the policy pack config only when it must be public.",
    configSchema: {
        properties: {
            allowedPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: openSecurityGroupsDefaults.allowedPorts,
                description: "Ports that may be open to the world (SSH and the app environments' ports by default).",
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
