/**
 * LoadBalancer Services on the one-node cluster, as K3s's ServiceLB answers them: K3s gives
 * each one the node's address as its ingress (status.loadBalancer.ingress[].ip) and the port
 * opens on the node. ServiceLB lives inside the k3s binary and cannot run on its own, so this
 * stands in for its documented effect only: it writes that status; kube-proxy then opens the
 * port on the node's address, as it does for any LoadBalancer ingress address. Without it, the
 * Kubernetes provider would wait in vain for the address, as it would on a cluster without
 * any load balancer.
 */
import type { NodeCluster } from "./cluster";

export interface ServiceLoadBalancer {
    /** Services given an address so far, as namespace/name. */
    assigned(): string[];
    stop(): Promise<void>;
}

interface ServiceList {
    items: { metadata: { namespace: string; name: string }; spec: { type?: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }[];
}

export function startServiceLoadBalancer(cluster: Pick<NodeCluster, "kubectl">, nodeIp: string, intervalMs = 2_000): ServiceLoadBalancer {
    const assigned = new Set<string>();
    let stopped = false;
    const status = JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: nodeIp, ipMode: "VIP" }] } } });

    const pass = async () => {
        const listed = await cluster.kubectl(["get", "services", "--all-namespaces", "-o", "json"], { timeoutMs: 30_000 });
        if (listed.code !== 0) return;
        const services = (JSON.parse(listed.stdout) as ServiceList).items;
        for (const service of services) {
            if (service.spec.type !== "LoadBalancer" || (service.status?.loadBalancer?.ingress?.length ?? 0) > 0) continue;
            const { namespace, name } = service.metadata;
            const patched = await cluster.kubectl(
                ["patch", "service", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", status],
                { timeoutMs: 30_000 },
            );
            if (patched.code === 0) assigned.add(`${namespace}/${name}`);
        }
    };
    const loop = (async () => {
        while (!stopped) {
            await pass().catch(() => undefined);
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
    })();
    return {
        assigned: () => [...assigned].sort(),
        stop: async () => {
            stopped = true;
            await loop;
        },
    };
}
