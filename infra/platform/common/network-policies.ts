/**
 * NetworkPolicies (K3s enforces them): in each namespace the platform runs its own pods in, no
 * pod accepts traffic unless a policy below names it. Ports published through ServiceLB accept
 * any source (the security group already limits who reaches the node); in-cluster-only ports
 * accept only the pods that use them.
 */
import { minio, mlflow, namespaces, postgres } from "../../../vocabulary/names";
import { argoServerPort } from "../argo/services";
import { componentLabels, selectorLabels } from "./labels";
import { type INetworkPolicy, manifest } from "./manifest";

type Ingress = NonNullable<NonNullable<INetworkPolicy["spec"]>["ingress"]>[number];

function policy(name: string, namespace: string, podSelector: Record<string, string> | undefined, ingress: Ingress[]): INetworkPolicy {
    return manifest.NetworkPolicy({
        metadata: { name, namespace, labels: componentLabels("network-policy") },
        spec: {
            podSelector: podSelector ? { matchLabels: podSelector } : {},
            policyTypes: ["Ingress"],
            // No rules at all is "deny": the API server drops an empty list, so none is written
            // (a re-apply would otherwise see a change every time).
            ...(ingress.length > 0 ? { ingress } : {}),
        },
    });
}

const fromPods = (...components: string[]) => components.map((c) => ({ podSelector: { matchLabels: selectorLabels(c) } }));
const tcp = (port: number) => ({ protocol: "TCP" as const, port });

/** Every pod of `namespace` refuses all inbound traffic that no other policy allows. */
export function denyAllIngress(namespace: string): INetworkPolicy {
    return policy("default-deny-ingress", namespace, undefined, []);
}

export function platformNetworkPolicies(): INetworkPolicy[] {
    const ns = namespaces.platform;
    return [
        denyAllIngress(ns),
        // MLflow (its init container creates the auth database) is Postgres' only client.
        policy("postgres", ns, selectorLabels(postgres.serviceName), [{ from: fromPods(mlflow.serviceName), ports: [tcp(postgres.port)] }]),
        policy("minio", ns, selectorLabels(minio.serviceName), [
            // The S3 API: MLflow, and the Job that creates the bucket and MLflow's user.
            { from: fromPods(mlflow.serviceName, "minio-create-bucket"), ports: [tcp(minio.apiPort)] },
            // The console, published through ServiceLB.
            { ports: [tcp(minio.consolePort)] },
        ]),
        // The UI and API (ServiceLB), the pipeline's pods, the Job that creates users.
        policy("mlflow", ns, selectorLabels(mlflow.serviceName), [{ ports: [tcp(mlflow.port)] }]),
    ];
}

export function argoNetworkPolicies(): INetworkPolicy[] {
    const ns = namespaces.argo;
    return [
        denyAllIngress(ns),
        policy("argo-server", ns, { app: "argo-server" }, [{ ports: [tcp(argoServerPort)] }]),
        // Workflow pods report through the Kubernetes API and need no inbound traffic.
        denyAllIngress(namespaces.workflows),
    ];
}
