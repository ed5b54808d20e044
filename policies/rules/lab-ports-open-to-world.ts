import { ResourceValidationPolicy } from "@pulumi/policy";
import { publishedPorts } from "../../vocabulary/names";
import { withDefaults } from "../lib/config";
import { coveredPorts, describeIngress, worldIngress } from "../lib/ingress";
import { openstackSecGroupRuleType } from "../lib/resource-types";

export const labPortsOpenToWorldPolicyName = "openstack-lab-ports-open-to-world";

export interface LabPortsConfig {
    protectedPorts: number[];
}

/**
 * The UIs, staging and the Kubernetes API: every published port whose audience is not
 * `public`, except SSH (key-only login; a stack may open it to the world on purpose, and the
 * advisory rule still reports it).
 */
export const labPortsDefaults: LabPortsConfig = {
    protectedPorts: publishedPorts.filter((p) => p.audience !== "public" && p.name !== "ssh").map((p) => p.port).sort((a, b) => a - b),
};

const serviceOf = new Map(publishedPorts.map((p) => [p.port, p.service]));

/** What is wrong with one rule, or undefined when it opens none of the protected ports to the world. */
export function labPortProblem(props: Record<string, unknown>, config: LabPortsConfig): string | undefined {
    const ingress = worldIngress(props);
    if (!ingress) return undefined;
    const exposed = coveredPorts(ingress, config.protectedPorts);
    if (exposed.length === 0) return undefined;
    const named = exposed.map((port) => (serviceOf.has(port) ? `${port} (${serviceOf.get(port)})` : String(port)));
    return `${describeIngress(ingress)}, exposing ${named.join(", ")} to the internet; these may only be open to the lab's network`;
}

export const labPortsOpenToWorld: ResourceValidationPolicy = {
    name: labPortsOpenToWorldPolicyName,
    description:
        "No OpenStack security group rule opens a UI (MLflow, MinIO console, Argo Workflows, Argo CD), staging or the " +
        "Kubernetes API to the whole internet (0.0.0.0/0, ::/0, or no remote at all).",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["openstack", "networking"],
    remediationSteps:
        "Open these ports to the lab's network only: set gourmetgram:labAllowedCidr (and apiAllowedCidr) to your " +
        "address as a.b.c.d/32, or reach the UIs through an SSH tunnel (docs/platform.md). If a port really must be " +
        "public, remove it from protectedPorts in the policy pack config, knowing what it exposes.",
    configSchema: {
        properties: {
            protectedPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: labPortsDefaults.protectedPorts,
                description: "Ports that must never be open to the world (the published UI, staging and API ports).",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== openstackSecGroupRuleType) return;
        const config = withDefaults(args.getConfig<Partial<LabPortsConfig>>(), labPortsDefaults);
        const problem = labPortProblem(args.props, config);
        if (problem) reportViolation(problem);
    },
};
