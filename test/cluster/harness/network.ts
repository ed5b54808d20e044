import * as ipaddr from "ipaddr.js";
import { runOk } from "../../e2e/harness/process";

/**
 * The cluster's addresses. Nothing of it is on the machine's real interface: the node's
 * address is a /32 alias on `lo` (a kubelet refuses a loopback node IP, and this machine has
 * no dummy netdev), pods live on their own bridge, and pod traffic is never forwarded off it.
 */
export const clusterNetwork = {
    /** The node's InternalIP: the API server, the kubelet and NodePorts listen here only. */
    nodeIp: "10.250.0.1",
    podCidr: "10.251.0.0/24",
    serviceCidr: "10.252.0.0/24",
    /** The `kubernetes` Service: the first address of serviceCidr. */
    apiServiceIp: "10.252.0.1",
    dnsServiceIp: "10.252.0.10",
    clusterDomain: "cluster.local",
    /** The pods' bridge (the CNI bridge plugin creates it). */
    bridge: "gg-cni0",
} as const;

const ranges = (): Array<[string, string]> => [
    ["node address", `${clusterNetwork.nodeIp}/32`],
    ["pod network", clusterNetwork.podCidr],
    ["service network", clusterNetwork.serviceCidr],
];

/** Networks the machine already uses (its addresses and every route but the default), as CIDRs. */
export async function machineNetworks(): Promise<string[]> {
    const addresses = (await runOk("ip", ["-4", "-o", "addr", "show"])).split("\n")
        .map((line) => / inet (\S+)/.exec(line)?.[1])
        .filter((cidr): cidr is string => cidr !== undefined);
    const routes = (await runOk("ip", ["-4", "route", "show", "table", "all"])).split("\n")
        .map((line) => line.trim().split(/\s+/))
        .map((words) => (["local", "broadcast", "unicast", "blackhole", "unreachable", "prohibit"].includes(words[0]) ? words[1] : words[0]))
        .filter((dst): dst is string => !!dst && dst !== "default" && /^[\d.]+(\/\d+)?$/.test(dst))
        .map((dst) => (dst.includes("/") ? dst : `${dst}/32`));
    return [...new Set([...addresses, ...routes])];
}

function overlaps(a: string, b: string): boolean {
    const [na, la] = ipaddr.parseCIDR(a);
    const [nb, lb] = ipaddr.parseCIDR(b);
    return la <= lb ? nb.match(na, la) : na.match(nb, lb);
}

/** Every clash between the cluster's ranges and the machine's networks, in words; empty when none. */
export function networkClashes(machine: readonly string[]): string[] {
    return ranges().flatMap(([what, cidr]) =>
        machine.filter((used) => overlaps(cidr, used)).map((used) => `the cluster's ${what} ${cidr} overlaps ${used}, which this machine already uses`),
    );
}
