import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ChameleonSettings } from "../config/cluster";
import { firstNodeHostOffset } from "../config/cluster";
import { hostAddress, parseIpv4Cidr } from "../config/network";
import { ingressRules } from "./security-rules";
import { nodeUserData } from "./user-data";

export interface ChameleonNodesArgs {
    readonly settings: ChameleonSettings;
}

export interface ChameleonNode {
    readonly name: string;
    readonly privateIp: string;
    readonly instance: openstack.compute.Instance;
}

/**
 * The lab's machines on Chameleon: a private network for node-to-node traffic, one port per
 * node on it and on the shared network, a security group, the instances, and a floating IP
 * on node1. Names follow the lab's convention `<thing>-mlops-<suffix>` so several students
 * can share one project.
 */
export class ChameleonNodes extends pulumi.ComponentResource {
    readonly nodes: readonly ChameleonNode[];
    readonly floatingIp: pulumi.Output<string>;

    constructor(name: string, args: ChameleonNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:chameleon:Nodes", name, {}, opts);
        const { settings } = args;
        const parent = { parent: this };
        const named = (thing: string) => `${thing}-mlops-${settings.suffix}`;

        const network = new openstack.networking.Network(named("private-net"), {
            name: named("private-net"),
            portSecurityEnabled: false,
        }, parent);
        const subnet = new openstack.networking.Subnet(named("private-subnet"), {
            name: named("private-subnet"),
            networkId: network.id,
            cidr: settings.privateCidr,
            noGateway: true,
        }, parent);

        const securityGroup = new openstack.networking.SecGroup(named("nodes"), {
            name: named("nodes"),
            description: "GourmetGram lab nodes: each published port open to its audience's network only",
        }, parent);
        for (const rule of ingressRules(settings)) {
            new openstack.networking.SecGroupRule(named(`allow-${rule.port}`), {
                securityGroupId: securityGroup.id,
                description: rule.description,
                direction: "ingress",
                ethertype: "IPv4",
                protocol: "tcp",
                portRangeMin: rule.port,
                portRangeMax: rule.port,
                remoteIpPrefix: rule.cidr,
            }, parent);
        }

        const keyPairName = "existingName" in settings.keyPair
            ? pulumi.output(settings.keyPair.existingName)
            : new openstack.compute.Keypair(named("key"), { name: named("key"), publicKey: settings.keyPair.publicKey }, parent).name;

        const sharedNetwork = openstack.networking.getNetworkOutput({ name: settings.sharedNetwork }, parent);
        const cidr = parseIpv4Cidr(settings.privateCidr);
        if (!cidr) throw new Error(`privateCidr ${settings.privateCidr} was not validated`);

        const sharedPorts: openstack.networking.Port[] = [];
        this.nodes = Array.from({ length: settings.nodeCount }, (_, index) => {
            const nodeName = `node${index + 1}`;
            const privateIp = hostAddress(cidr, firstNodeHostOffset + index);
            const privatePort = new openstack.networking.Port(named(`port-${nodeName}`), {
                name: named(`port-${nodeName}`),
                networkId: network.id,
                portSecurityEnabled: false,
                fixedIps: [{ subnetId: subnet.id, ipAddress: privateIp }],
            }, parent);
            const sharedPort = new openstack.networking.Port(named(`${settings.sharedNetwork}-${nodeName}`), {
                name: named(`${settings.sharedNetwork}-${nodeName}`),
                networkId: sharedNetwork.id,
                securityGroupIds: [securityGroup.id],
            }, parent);
            sharedPorts.push(sharedPort);

            const hostname = named(nodeName);
            const instance = new openstack.compute.Instance(hostname, {
                name: hostname,
                imageName: settings.image,
                flavorName: settings.placement.flavorName,
                keyPair: keyPairName,
                networks: [{ port: sharedPort.id }, { port: privatePort.id }],
                userData: nodeUserData(hostname, settings.sshUser),
                schedulerHints: settings.placement.reservationHint
                    ? [{ additionalProperties: { reservation: settings.placement.reservationHint } }]
                    : undefined,
            }, parent);
            return { name: nodeName, privateIp, instance };
        });

        const floatingIp = new openstack.networking.FloatingIp(named("floating-ip"), {
            pool: settings.externalNetwork,
            description: `GourmetGram lab floating IP for ${named("node1")}`,
            portId: sharedPorts[0].id,
        }, parent);
        this.floatingIp = floatingIp.address;

        this.registerOutputs({ floatingIp: this.floatingIp });
    }
}
