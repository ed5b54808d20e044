import * as fs from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ChameleonNodes } from "../chameleon/nodes";
import type { ChameleonSettings, ClusterSettings, ExistingClusterSettings } from "../config/cluster";
import { K3sCluster } from "../k3s/k3s-cluster";
import { kubeconfigServerHost } from "../k3s/kubeconfig";

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
}

export interface ClusterOptions {
    /** Ports the services are published on, opened in the nodes' security group. */
    readonly servicePorts: Readonly<Record<string, number>>;
}

export function createCluster(settings: ClusterSettings, options: ClusterOptions): Cluster {
    return settings.target === "chameleon" ? chameleonCluster(settings, options) : existingCluster(settings);
}

function chameleonCluster(settings: ChameleonSettings, options: ClusterOptions): Cluster {
    // Credentials come the OpenStack way: a clouds.yaml entry or OS_* application credentials.
    const cloud = new openstack.Provider("chameleon", {
        authUrl: settings.authUrl,
        region: settings.site,
        cloud: settings.cloud,
    });
    const machines = new ChameleonNodes("lab", { settings, servicePorts: options.servicePorts }, { provider: cloud });
    const k3s = new K3sCluster("k3s", {
        nodes: machines.nodes.map((node) => ({ name: node.name, privateIp: node.privateIp, dependsOn: node.instance })),
        publicAddress: machines.floatingIp,
        sshUser: settings.sshUser,
        sshPrivateKey: pulumi.secret(fs.readFileSync(settings.sshPrivateKeyPath, "utf8")),
        version: settings.k3sVersion,
    });
    return {
        provider: new k8s.Provider("cluster", { kubeconfig: k3s.kubeconfig, enableServerSideApply: true }),
        kubeconfig: k3s.kubeconfig,
        publicAddress: machines.floatingIp,
        sshCommand: pulumi.interpolate`ssh -i ${settings.sshPrivateKeyPath} ${settings.sshUser}@${machines.floatingIp}`,
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
    };
}
