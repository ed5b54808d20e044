/** What an OpenStack security group rule lets in from the whole internet, if anything. */

const worldPrefixes = new Set(["0.0.0.0/0", "::/0"]);

export type WorldIngress =
    | { kind: "icmp"; source: string }
    | { kind: "all-protocols"; source: string }
    | { kind: "all-ports"; source: string; protocol: string }
    | { kind: "ports"; source: string; protocol: string; min: number; max: number };

/** undefined when the rule is egress or limited to a network or a remote group. */
export function worldIngress(props: Record<string, unknown>): WorldIngress | undefined {
    if (String(props.direction ?? "").toLowerCase() !== "ingress") return undefined;
    // Neutron treats a rule with neither a remote prefix nor a remote group as open to every address.
    const prefix = typeof props.remoteIpPrefix === "string" ? props.remoteIpPrefix.trim() : "";
    const openToWorld = worldPrefixes.has(prefix) || (prefix === "" && !props.remoteGroupId);
    if (!openToWorld) return undefined;
    const source = prefix === "" ? "any address (no remoteIpPrefix or remoteGroupId)" : prefix;

    const protocol = typeof props.protocol === "string" ? props.protocol.toLowerCase() : "";
    if (protocol === "icmp" || protocol === "ipv6-icmp") return { kind: "icmp", source };
    if (protocol === "") return { kind: "all-protocols", source };
    const min = typeof props.portRangeMin === "number" ? props.portRangeMin : undefined;
    const max = typeof props.portRangeMax === "number" ? props.portRangeMax : min;
    if (min === undefined || max === undefined) return { kind: "all-ports", source, protocol };
    return { kind: "ports", source, protocol, min, max };
}

/** The ports of `ports` that a world-open rule covers (all of them for a rule without a port range). */
export function coveredPorts(ingress: WorldIngress, ports: readonly number[]): number[] {
    switch (ingress.kind) {
        case "icmp":
            return [];
        case "all-protocols":
        case "all-ports":
            return [...ports];
        case "ports":
            return ports.filter((port) => port >= ingress.min && port <= ingress.max);
    }
}

export function describeIngress(ingress: WorldIngress): string {
    switch (ingress.kind) {
        case "icmp":
            return `ingress ICMP is open to ${ingress.source}`;
        case "all-protocols":
            return `ingress on every protocol and port is open to ${ingress.source}`;
        case "all-ports":
            return `ingress on every ${ingress.protocol} port is open to ${ingress.source}`;
        case "ports": {
            const range = ingress.min === ingress.max ? `port ${ingress.min}` : `ports ${ingress.min}-${ingress.max}`;
            return `ingress ${ingress.protocol} ${range} is open to ${ingress.source}`;
        }
    }
}
