import * as fs from "node:fs";
import * as path from "node:path";
import { defaultKubeconfigPath } from "../../vocabulary/kubeconfig";
import { kubernetesApiPort } from "../../vocabulary/names";
import { k3sVersion as pinnedK3sVersion } from "../../vocabulary/versions";
import { isGpuImage, type NodeImage, placementFor, type Placement, type Site, siteNames, sites, supportedImages } from "../chameleon/sites";
import { boolean, cidr, existingFile, expandHome, integer, oneOf, optional, text } from "./fields";
import { isPrivateRange, isWorldOpen, parseIpv4Cidr } from "./network";
import { defineSection } from "./section";

export const clusterTargets = ["chameleon", "existing-cluster"] as const;

export interface ChameleonSettings {
    readonly site: Site;
    readonly authUrl: string;
    /** clouds.yaml entry to authenticate with; otherwise the OS_* environment variables. */
    readonly cloud?: string;
    readonly suffix: string;
    readonly image: NodeImage;
    readonly placement: Placement;
    readonly nodeCount: number;
    readonly privateCidr: string;
    readonly sharedNetwork: string;
    readonly externalNetwork: string;
    readonly keyPair: { readonly existingName: string } | { readonly publicKey: string };
    readonly sshUser: string;
    readonly sshPrivateKeyPath: string;
    /** The people of the lab: the UIs, staging, and SSH unless sshAllowedCidr is set. */
    readonly labAllowedCidr: string;
    readonly sshAllowedCidr: string;
    readonly apiAllowedCidr: string;
    readonly k3sVersion: string;
    /** sha256 of the K3s release's install.sh and amd64 binary, when the stack sets them. */
    readonly k3sSha256: { readonly installer?: string; readonly binary?: string };
}

export interface ExistingClusterSettings {
    readonly kubeconfigPath: string;
    readonly kubeconfigContext?: string;
    /** Host that users reach the cluster's services on, for the URLs in the stack outputs. */
    readonly publicAddress?: string;
}

export type ClusterSettings =
    | ({ readonly target: "chameleon" } & ChameleonSettings)
    | ({ readonly target: "existing-cluster" } & ExistingClusterSettings);

const suffixPattern = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const k3sVersionPattern = /^v1\.\d+\.\d+\+k3s\d+$/;
const sha256Pattern = /^[0-9a-f]{64}$/;
const hostPattern = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** Node addresses start at this host offset in the private network: node1 = .11, node2 = .12, ... */
export const firstNodeHostOffset = 11;

const chameleonKeys = {
    site: optional(oneOf(siteNames)),
    cloud: optional(text("the name of an entry in clouds.yaml")),
    suffix: optional(
        text("1-24 lowercase letters, digits or hyphens, starting and ending with a letter or digit (e.g. your username)", {
            pattern: suffixPattern,
        }),
    ),
    image: optional(oneOf(supportedImages)),
    flavor: optional(text("an OpenStack flavor name such as m1.medium")),
    reservation: optional(text("a reservation id (UUID) from a Chameleon lease", { pattern: uuidPattern })),
    nodeCount: optional(integer(1, 7)),
    privateCidr: optional(cidr()),
    sharedNetwork: optional(text("the name of the site's shared network")),
    externalNetwork: optional(text("the name of the floating IP pool")),
    keyPairName: optional(text("the name of a key pair already registered at the site")),
    sshPublicKey: optional(text("an OpenSSH public key line", { pattern: /^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp\d+) \S+/ })),
    sshUser: optional(text("a Linux user name", { pattern: /^[a-z_][a-z0-9_-]*$/ })),
    sshPrivateKeyPath: optional(existingFile("SSH private key file")),
    labAllowedCidr: optional(cidr()),
    sshAllowedCidr: optional(cidr()),
    apiAllowedCidr: optional(cidr()),
    allowWorldOpenNetworks: optional(boolean()),
    k3sVersion: optional(text("a K3s release such as v1.33.5+k3s1", { pattern: k3sVersionPattern })),
    k3sInstallerSha256: optional(text("a sha256 of 64 lowercase hex digits", { pattern: sha256Pattern })),
    k3sBinarySha256: optional(text("a sha256 of 64 lowercase hex digits", { pattern: sha256Pattern })),
};

const existingClusterKeys = {
    kubeconfig: optional(existingFile("kubeconfig file")),
    kubeconfigContext: optional(text("a context name from the kubeconfig")),
    publicAddress: optional(text("a host name or IP address", { pattern: hostPattern })),
};

export const clusterConfig = defineSection(
    { target: oneOf(clusterTargets, { default: "chameleon" }), ...chameleonKeys, ...existingClusterKeys },
    (values, report): ClusterSettings => {
        const onlyFor = (keys: readonly string[], target: string) => {
            for (const key of keys) {
                if (values[key as keyof typeof values] !== undefined) {
                    report(key, `is only used when target is "${target}"; remove it or change target`);
                }
            }
        };
        if (values.target === "existing-cluster") {
            onlyFor(Object.keys(chameleonKeys), "chameleon");
            return existingCluster(values, report);
        }
        onlyFor(Object.keys(existingClusterKeys), "existing-cluster");
        return { target: "chameleon", ...chameleon(values, report) };
    },
);

type Values = Parameters<(typeof clusterConfig)["build"]>[0];
type Report = Parameters<(typeof clusterConfig)["build"]>[1];

function existingCluster(values: Values, report: Report): ClusterSettings {
    let kubeconfigPath = values.kubeconfig;
    if (kubeconfigPath === undefined) {
        const candidate = path.resolve(expandHome(defaultKubeconfigPath()));
        if (fs.existsSync(candidate)) {
            kubeconfigPath = candidate;
        } else {
            report("kubeconfig", `is required when target is "existing-cluster" and neither $KUBECONFIG nor ~/.kube/config names a file`);
        }
    }
    return {
        target: "existing-cluster",
        kubeconfigPath: kubeconfigPath ?? "",
        kubeconfigContext: values.kubeconfigContext,
        publicAddress: values.publicAddress,
    };
}

function chameleon(values: Values, report: Report): ChameleonSettings {
    const site = values.site ?? "KVM@TACC";
    const image = values.image ?? "CC-Ubuntu24.04";
    const nodeCount = values.nodeCount ?? 3;
    const privateCidr = values.privateCidr ?? "192.168.1.0/24";
    const baremetal = sites[site].kind === "baremetal";

    if (values.suffix === undefined) report("suffix", "is required: it makes resource names unique in a shared project, e.g. your username");
    if (values.apiAllowedCidr === undefined) {
        report("apiAllowedCidr", `is required: the network allowed to reach the Kubernetes API on port ${kubernetesApiPort}, e.g. your public IP as a.b.c.d/32`);
    }
    if (values.sshPrivateKeyPath === undefined) {
        report("sshPrivateKeyPath", "is required: the private key matching the node key pair, used to install K3s over SSH");
    }
    if ((values.keyPairName === undefined) === (values.sshPublicKey === undefined)) {
        report("keyPairName", "set exactly one of keyPairName (a key pair already at the site) or sshPublicKey (to create one)");
    }

    if (baremetal) {
        if (values.reservation === undefined) report("reservation", `is required at ${site}: bare-metal nodes are scheduled into a lease's reservation`);
        if (values.flavor !== undefined && values.flavor !== "baremetal") {
            report("flavor", `must be "baremetal" (or unset) at ${site}; bare-metal sites have no other flavors`);
        }
    } else {
        if (values.flavor !== undefined && values.reservation !== undefined) {
            report("flavor", `set either flavor or reservation at ${site}, not both: a KVM reservation is launched through its own flavor`);
        }
        if (isGpuImage(image)) {
            report("image", `${image} needs a GPU node, which ${site} does not offer; use CC-Ubuntu24.04 or a bare-metal site with a GPU lease`);
        }
    }

    const apiAllowedCidr = values.apiAllowedCidr ?? "";
    const labAllowedCidr = values.labAllowedCidr ?? apiAllowedCidr;
    const sshAllowedCidr = values.sshAllowedCidr ?? labAllowedCidr;
    if (!values.allowWorldOpenNetworks) {
        const risks = {
            apiAllowedCidr: `the Kubernetes API (port ${kubernetesApiPort})`,
            labAllowedCidr: "MLflow, the MinIO console, Argo Workflows, Argo CD and staging",
            sshAllowedCidr: "SSH to the nodes",
        } as const;
        for (const [key, risk] of Object.entries(risks) as Array<[keyof typeof risks, string]>) {
            const value = values[key];
            if (value !== undefined && isWorldOpen(value)) {
                report(
                    key,
                    `opens ${risk} to the whole internet; use your own network, e.g. your public address as a.b.c.d/32 ` +
                        `(or an SSH tunnel), or set gourmetgram:allowWorldOpenNetworks to true to accept that risk`,
                );
            }
        }
    }

    const network = parseIpv4Cidr(privateCidr);
    if (network && !isPrivateRange(network)) report("privateCidr", "must be inside private address space (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)");
    if (network && 2 ** (32 - network.prefix) - 2 < firstNodeHostOffset + nodeCount - 1) {
        report("privateCidr", `is too small for ${nodeCount} nodes starting at host .${firstNodeHostOffset}; use a /27 or larger`);
    }

    return {
        site,
        authUrl: sites[site].authUrl,
        cloud: values.cloud,
        suffix: values.suffix ?? "",
        image,
        placement: placementFor(site, values.flavor, values.reservation),
        nodeCount,
        privateCidr,
        sharedNetwork: values.sharedNetwork ?? "sharednet1",
        externalNetwork: values.externalNetwork ?? "public",
        keyPair: values.keyPairName !== undefined ? { existingName: values.keyPairName } : { publicKey: values.sshPublicKey ?? "" },
        sshUser: values.sshUser ?? "cc",
        sshPrivateKeyPath: values.sshPrivateKeyPath ?? "",
        labAllowedCidr,
        sshAllowedCidr,
        apiAllowedCidr,
        k3sVersion: values.k3sVersion ?? pinnedK3sVersion,
        k3sSha256: { installer: values.k3sInstallerSha256, binary: values.k3sBinarySha256 },
    };
}
