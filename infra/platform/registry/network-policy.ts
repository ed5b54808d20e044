/**
 * Who may open a connection to the registry (K3s enforces NetworkPolicies): the pods that push
 * or read image manifests, and the nodes, whose containerd pulls through the NodePort mirror.
 * Every other pod, the app environments' included, is refused: it can neither push a tag nor
 * read one. The policy selects the registry's pod only, so it can live in kube-system.
 */
import { k3sPodNetwork, namespaces, registry } from "../../../vocabulary/names";
import { componentLabels, selectorLabels } from "../common/labels";
import { type INetworkPolicy, manifest } from "../common/manifest";

type Peer = NonNullable<NonNullable<NonNullable<INetworkPolicy["spec"]>["ingress"]>[number]["from"]>[number];

/** The pods of the in-cluster image builds (ImageBuild's Jobs), in the platform namespace. */
export const imageBuildPods = { namespace: namespaces.platform, labels: selectorLabels("image-build") } as const;

const inNamespace = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/**
 * The nodes' own addresses on the pod network: a pull from another node reaches the registry's
 * pod masqueraded to that node's flannel address. Pods never hold these addresses; a node's
 * pull of a registry pod on the same node is accepted by the policy controller as local traffic.
 */
export function nodeAddressBlocks(network: { clusterCidr: string; nodeSubnetBits: number } = k3sPodNetwork): string[] {
    const match = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(network.clusterCidr);
    if (!match || network.nodeSubnetBits !== 24) {
        throw new Error(`registry policy: expected a /16 cluster CIDR split into /24 node subnets, got ${network.clusterCidr} split at /${network.nodeSubnetBits}`);
    }
    return Array.from({ length: 256 }, (_, node) => `${match[1]}.${match[2]}.${node}.0/31`);
}

export function registryNetworkPolicy(): INetworkPolicy {
    const port = [{ protocol: "TCP" as const, port: registry.port }];
    const pushers: Peer[] = [
        // Every step of the lab's workflows: the image build pushes, the release steps read digests and retag.
        { namespaceSelector: inNamespace(namespaces.workflows) },
        { namespaceSelector: inNamespace(imageBuildPods.namespace), podSelector: { matchLabels: { ...imageBuildPods.labels } } },
    ];
    return manifest.NetworkPolicy({
        metadata: { name: registry.serviceName, namespace: namespaces.registry, labels: componentLabels("network-policy") },
        spec: {
            podSelector: { matchLabels: selectorLabels(registry.serviceName) },
            policyTypes: ["Ingress"],
            ingress: [
                { from: pushers, ports: port },
                { from: nodeAddressBlocks().map((cidr) => ({ ipBlock: { cidr } })), ports: port },
            ],
        },
    });
}
