import * as fs from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ChameleonNodes } from "../chameleon/nodes";
import type { ChameleonSettings, ClusterSettings, ExistingClusterSettings } from "../config/cluster";
import type { NodeImage } from "../chameleon/sites";
import { type NodeSecurityProfiles, withoutNodeAppArmor } from "../k3s/apparmor-profiles";
import { K3sCluster } from "../k3s/k3s-cluster";
import { kubeconfigServerHost } from "../k3s/kubeconfig";
import { ingressRules } from "../chameleon/security-rules";
import { publishedPorts } from "../../vocabulary/names";

/** One row of the stack output `publishedPorts`: who can reach what, with which credentials. */
export interface PortReach {
    readonly port: number;
    readonly service: string;
    readonly allowedFrom: string;
    readonly authentication: string;
}

/** On Chameleon: each published port and the network the security group opens it to. */
export function chameleonReach(settings: ChameleonSettings): PortReach[] {
    const rules = ingressRules(settings);
    return publishedPorts.map((p, i) => ({ port: p.port, service: p.service, allowedFrom: rules[i].cidr, authentication: p.authentication }));
}

/** On a cluster of your own the program opens no firewall: who reaches a port is your network's business. */
export function existingClusterReach(): PortReach[] {
    return publishedPorts
        .filter((p) => p.name !== "ssh")
        .map((p) => ({ port: p.port, service: p.service, allowedFrom: "your cluster's network (no firewall is managed here)", authentication: p.authentication }));
}

/** What the layers above need from a cluster, wherever it came from. */
export interface Cluster {
    /** The provider every in-cluster resource is created with. */
    readonly provider: k8s.Provider;
    /** Secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Host name or IP that users open the services on. */
    readonly publicAddress: pulumi.Output<string>;
    /** Chameleon only: how to log in to the first node. */
    readonly sshCommand?: pulumi.Output<string>;
    /** Every port users reach, from where, and how they authenticate. */
    readonly publishedPorts: PortReach[];
    /** What the nodes hold of the lab's security profiles, so that pods name only those a node has. */
    readonly nodeProfiles: NodeSecurityProfiles;
}

/**
 * What Chameleon nodes of an image hold: the K3s install loads the lab's AppArmor profiles where
 * AppArmor has policy ABI 4.0 (Ubuntu 24.04); Ubuntu 22.04's AppArmor 3 cannot load them.
 */
export function chameleonNodeProfiles(image: NodeImage): NodeSecurityProfiles {
    return { appArmor: image.startsWith("CC-Ubuntu24.04") };
}

/** The nodes' security group opens infra/names `publishedPorts`, each to its audience's network. */
export function createCluster(settings: ClusterSettings): Cluster {
    return settings.target === "chameleon" ? chameleonCluster(settings) : existingCluster(settings);
}

function chameleonCluster(settings: ChameleonSettings): Cluster {
    // Credentials come the OpenStack way: a clouds.yaml entry or OS_* application credentials.
    const cloud = new openstack.Provider("chameleon", {
        authUrl: settings.authUrl,
        region: settings.site,
        cloud: settings.cloud,
    });
    const machines = new ChameleonNodes("lab", { settings }, { provider: cloud });
    const k3s = new K3sCluster("k3s", {
        nodes: machines.nodes.map((node) => ({ name: node.name, privateIp: node.privateIp, dependsOn: node.instance })),
        publicAddress: machines.floatingIp,
        sshUser: settings.sshUser,
        sshPrivateKey: pulumi.secret(fs.readFileSync(settings.sshPrivateKeyPath, "utf8")),
        version: settings.k3sVersion,
        sha256: settings.k3sSha256,
    });
    return {
        provider: new k8s.Provider("cluster", { kubeconfig: k3s.kubeconfig, enableServerSideApply: true }),
        kubeconfig: k3s.kubeconfig,
        publicAddress: machines.floatingIp,
        sshCommand: pulumi.interpolate`ssh -i ${settings.sshPrivateKeyPath} ${settings.sshUser}@${machines.floatingIp}`,
        publishedPorts: chameleonReach(settings),
        nodeProfiles: chameleonNodeProfiles(settings.image),
    };
}

function existingCluster(settings: ExistingClusterSettings): Cluster {
    const text = fs.readFileSync(settings.kubeconfigPath, "utf8");
    const kubeconfig = pulumi.secret(text);
    return {
        provider: new k8s.Provider("cluster", {
            kubeconfig,
            context: settings.kubeconfigContext,
            enableServerSideApply: true,
        }),
        kubeconfig,
        publicAddress: pulumi.output(settings.publicAddress ?? kubeconfigServerHost(text, settings.kubeconfigContext)),
        publishedPorts: existingClusterReach(),
        // Nothing is known of its nodes: an admin installs the profiles the builds need (docs/platform.md).
        nodeProfiles: withoutNodeAppArmor,
    };
}
