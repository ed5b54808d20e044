/** One inbound TCP rule on the nodes' shared-network ports. */
export interface IngressRule {
    readonly description: string;
    readonly port: number;
    readonly cidr: string;
}

export interface IngressPolicy {
    readonly sshAllowedCidr: string;
    readonly apiAllowedCidr: string;
    /** The app environments and platform UIs served at the floating IP. */
    readonly servicePorts: Readonly<Record<string, number>>;
}

export const kubernetesApiPort = 6443;

/**
 * The inbound rules the lab needs and nothing more: SSH for K3s installation, the Kubernetes
 * API only from the configured network, and the service ports students open in a browser.
 * Node-to-node traffic uses the private network, whose ports have port security off.
 */
export function ingressRules(policy: IngressPolicy): IngressRule[] {
    const rules: IngressRule[] = [
        { description: "SSH", port: 22, cidr: policy.sshAllowedCidr },
        { description: "Kubernetes API", port: kubernetesApiPort, cidr: policy.apiAllowedCidr },
    ];
    const seen = new Set(rules.map((rule) => rule.port));
    for (const [name, port] of Object.entries(policy.servicePorts)) {
        if (seen.has(port)) throw new Error(`port ${port} (${name}) is opened twice`);
        seen.add(port);
        rules.push({ description: name, port, cidr: "0.0.0.0/0" });
    }
    return rules;
}
