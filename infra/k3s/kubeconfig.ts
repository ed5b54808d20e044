import { parseDocument } from "yaml";
import { kubeconfigContext, KubeconfigError } from "../../vocabulary/kubeconfig";
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
    try {
        return new URL(kubeconfigContext(kubeconfig, context).server).hostname;
    } catch (e) {
        if (e instanceof KubeconfigError || e instanceof TypeError) throw new Error(`the kubeconfig ${e.message}`, { cause: e });
        throw e;
    }
}
