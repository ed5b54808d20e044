import { kubernetesApiPort, type PortAudience, type PublishedPort, publishedPorts } from "../../vocabulary/names";

export { kubernetesApiPort };

/** One inbound TCP rule on the nodes' shared-network ports. */
export interface IngressRule {
    readonly description: string;
    readonly port: number;
    readonly cidr: string;
}

/** The network each audience of vocabulary/names `publishedPorts` may come from. */
export interface IngressPolicy {
    /** The people of the lab: every UI, staging, and SSH unless sshAllowedCidr says otherwise. */
    readonly labAllowedCidr: string;
    /** SSH only; defaults to labAllowedCidr in the stack config. */
    readonly sshAllowedCidr: string;
    /** The Kubernetes API. */
    readonly apiAllowedCidr: string;
}

/** The whole IPv4 internet: only ports whose audience is `public` are opened to it. */
export const worldCidr = "0.0.0.0/0";

function cidrFor(port: PublishedPort, policy: IngressPolicy): string {
    const byAudience: Record<PortAudience, string> = {
        public: worldCidr,
        lab: port.port === 22 ? policy.sshAllowedCidr : policy.labAllowedCidr,
        api: policy.apiAllowedCidr,
    };
    return byAudience[port.audience];
}

/**
 * The inbound rules the lab needs and nothing more: one per published port, each open only to
 * its audience's network (the app's public environments to everyone, the UIs, staging and SSH
 * to the lab's network, the Kubernetes API to its own). Node-to-node traffic uses the private
 * network, whose ports have port security off.
 */
export function ingressRules(policy: IngressPolicy, ports: readonly PublishedPort[] = publishedPorts): IngressRule[] {
    const seen = new Map<number, string>();
    return ports.map((port) => {
        const earlier = seen.get(port.port);
        if (earlier !== undefined) throw new Error(`port ${port.port} (${port.name}) is opened twice (also by ${earlier})`);
        seen.set(port.port, port.name);
        return { description: `${port.service}: ${port.audience}`, port: port.port, cidr: cidrFor(port, policy) };
    });
}
