import { namespaces, platformPublicPorts } from "../../../vocabulary/names";
import { componentLabels } from "../common/labels";
import { type IService, manifest } from "../common/manifest";

/** argo-server's own port; it serves its UI and API over TLS with a self-signed certificate. */
export const argoServerPort = 2746;
/** argocd-server's container port (HTTPS with a self-signed certificate, HTTP redirects). */
export const argoCdServerPort = 8080;

/**
 * LoadBalancer Services (K3s ServiceLB) in front of the upstream UI pods. They are separate
 * from the upstream ClusterIP Services so the install manifests stay as published.
 */
export function argoWorkflowsUiService(): IService {
    return manifest.Service({
        metadata: { name: "argo-server-public", namespace: namespaces.argo, labels: componentLabels("argo-server") },
        spec: {
            type: "LoadBalancer",
            selector: { app: "argo-server" },
            ports: [{ name: "web", port: platformPublicPorts.argoWorkflows, targetPort: argoServerPort }],
        },
    });
}

export function argoCdUiService(): IService {
    return manifest.Service({
        metadata: { name: "argocd-server-public", namespace: namespaces.argocd, labels: componentLabels("argocd-server") },
        spec: {
            type: "LoadBalancer",
            selector: { "app.kubernetes.io/name": "argocd-server" },
            ports: [{ name: "https", port: platformPublicPorts.argoCd, targetPort: argoCdServerPort }],
        },
    });
}
