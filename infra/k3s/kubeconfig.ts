import { parseDocument } from "yaml";
import { kubernetesApiPort } from "../../vocabulary/names";

/**
 * K3s writes a kubeconfig whose server is https://127.0.0.1:6443, right only on the node
 * itself. Users and the Kubernetes provider reach the API at the floating IP, which the
 * server's certificate carries as a TLS SAN.
 */
export function pointKubeconfigAt(kubeconfig: string, host: string, port = kubernetesApiPort): string {
    const document = parseDocument(kubeconfig);
    const clusters = document.get("clusters");
    if (!clusters || typeof clusters !== "object" || !("items" in clusters) || (clusters.items as unknown[]).length === 0) {
        throw new Error("the kubeconfig read from the K3s server has no clusters");
    }
    for (const index of (clusters.items as unknown[]).keys()) {
        document.setIn(["clusters", index, "cluster", "server"], `https://${host}:${port}`);
    }
    return document.toString();
}

/** The API server's host for a kubeconfig's current (or named) context. */
export function kubeconfigServerHost(kubeconfig: string, context?: string): string {
    const document = parseDocument(kubeconfig).toJS() as {
        "current-context"?: string;
        contexts?: { name: string; context: { cluster: string } }[];
        clusters?: { name: string; cluster: { server: string } }[];
    };
    const contextName = context ?? document["current-context"];
    const clusterName = document.contexts?.find((c) => c.name === contextName)?.context.cluster;
    const server = document.clusters?.find((c) => c.name === clusterName)?.cluster.server;
    if (!server) throw new Error(`the kubeconfig has no cluster for context ${JSON.stringify(contextName)}`);
    return new URL(server).hostname;
}
