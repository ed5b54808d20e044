import * as fs from "node:fs";
import { parse, parseAllDocuments, stringify } from "yaml";
import { runOk } from "../../e2e/harness/process";
import { clusterNetwork } from "./network";
import type { ClusterToolchain } from "./tools";

type Obj = Record<string, any>;

/**
 * The add-ons K3s ships, so the program's assumptions hold here: CoreDNS, metrics-server and
 * the local-path storage class. metrics-server and the provisioner are their releases' own
 * install manifests with the changes listed at each; CoreDNS's release has none, so its
 * objects are written here, as K3s writes them, less `forward` (DNS stays on the machine).
 */
export async function addonObjects(tools: ClusterToolchain, localPathDir: string): Promise<Obj[]> {
    const metrics = await runOk(tools.kubectl, ["kustomize", tools.manifests.metricsServer], { timeoutMs: 60_000 });
    return [...coredns(tools), ...metricsServer(tools, documents(metrics)), ...localPath(tools, localPathDir)];
}

export const addonDeployments = [
    { namespace: "kube-system", name: "coredns" },
    { namespace: "kube-system", name: "metrics-server" },
    { namespace: "local-path-storage", name: "local-path-provisioner" },
] as const;

const documents = (text: string): Obj[] =>
    parseAllDocuments(text).map((d) => d.toJS()).filter((o): o is Obj => o !== null && typeof o === "object");

function deployment(objects: Obj[]): Obj {
    const found = objects.find((o) => o.kind === "Deployment");
    if (!found) throw new Error("the release's manifest has no Deployment");
    return found;
}

/** The release's manifest (its kustomization overlays/release, as upstream builds components.yaml). */
function metricsServer(tools: ClusterToolchain, objects: Obj[]): Obj[] {
    const container = deployment(objects).spec.template.spec.containers[0];
    container.image = tools.images["metrics-server"].ref;
    container.imagePullPolicy = "Never";
    // The kubelet's serving certificate is self-signed; its address is the node's InternalIP.
    container.args = [
        ...container.args.filter((a: string) => !a.startsWith("--kubelet-preferred-address-types")),
        "--kubelet-preferred-address-types=InternalIP",
        "--kubelet-insecure-tls",
    ];
    return objects;
}

function localPath(tools: ClusterToolchain, dir: string): Obj[] {
    const objects = documents(fs.readFileSync(tools.manifests.localPathProvisioner, "utf8"));
    const container = deployment(objects).spec.template.spec.containers[0];
    container.image = tools.images["local-path-provisioner"].ref;
    container.imagePullPolicy = "Never";
    const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "local-path-config");
    if (!config) throw new Error("the local-path release has no local-path-config ConfigMap");
    // Volumes go under the cluster's own directory, which teardown removes.
    const paths = JSON.parse(config.data["config.json"]);
    paths.nodePathMap = [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [dir] }];
    config.data["config.json"] = JSON.stringify(paths, null, 2);
    const helper = parse(config.data["helperPod.yaml"]);
    helper.spec.containers[0].image = tools.images.busybox.ref;
    helper.spec.containers[0].imagePullPolicy = "Never";
    config.data["helperPod.yaml"] = stringify(helper);
    // The default class, as in K3s.
    const storageClass = objects.find((o) => o.kind === "StorageClass");
    if (!storageClass) throw new Error("the local-path release has no StorageClass");
    storageClass.metadata.annotations = { ...storageClass.metadata.annotations, "storageclass.kubernetes.io/is-default-class": "true" };
    return objects;
}

export const corefile = `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${clusterNetwork.clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

function coredns(tools: ClusterToolchain): Obj[] {
    const ns = "kube-system";
    const labels = { "k8s-app": "kube-dns" };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: ns } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "system:coredns" },
            rules: [
                { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "system:coredns" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
            subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: ns }],
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: ns }, data: { Corefile: corefile } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "coredns", namespace: ns, labels },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: "coredns",
                        priorityClassName: "system-cluster-critical",
                        dnsPolicy: "Default",
                        containers: [{
                            name: "coredns",
                            image: tools.images.coredns.ref,
                            imagePullPolicy: "Never",
                            args: ["-conf", "/etc/coredns/Corefile"],
                            ports: [
                                { name: "dns", containerPort: 53, protocol: "UDP" },
                                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                            ],
                            resources: { requests: { cpu: "50m", memory: "70Mi" }, limits: { memory: "170Mi" } },
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["all"] },
                            },
                            volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
                            livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10, failureThreshold: 3 },
                            readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
                        }],
                        volumes: [{ name: "config", configMap: { name: "coredns" } }],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "kube-dns", namespace: ns, labels },
            spec: {
                selector: labels,
                clusterIP: clusterNetwork.dnsServiceIp,
                ports: [
                    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
                    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
                ],
            },
        },
    ];
}
