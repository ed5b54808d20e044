/** The cluster harness's pure parts: which machine networks its ranges refuse, and reading `iptables -S`. */
import { describe, expect, it } from "vitest";
import { iptablesWords } from "./harness/host";
import { clusterNetwork, networkClashes } from "./harness/network";

describe("cluster network ranges", () => {
    it("clash with nothing this kind of machine uses", () => {
        expect(networkClashes(["127.0.0.0/8", "192.0.2.0/24", "192.0.2.2/32", "172.17.0.0/16", "10.0.0.0/24"])).toEqual([]);
    });

    it("refuse a machine network that overlaps the node address, the pods or the services, naming both", () => {
        expect(networkClashes(["10.0.0.0/8"])).toEqual([
            `the cluster's node address ${clusterNetwork.nodeIp}/32 overlaps 10.0.0.0/8, which this machine already uses`,
            `the cluster's pod network ${clusterNetwork.podCidr} overlaps 10.0.0.0/8, which this machine already uses`,
            `the cluster's service network ${clusterNetwork.serviceCidr} overlaps 10.0.0.0/8, which this machine already uses`,
        ]);
        expect(networkClashes(["10.251.0.128/25"])).toEqual([
            `the cluster's pod network ${clusterNetwork.podCidr} overlaps 10.251.0.128/25, which this machine already uses`,
        ]);
    });
});

describe("iptables -S lines", () => {
    it("split into arguments with quoted comments kept whole", () => {
        expect(iptablesWords('nat -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -j KUBE-NODEPORTS')).toEqual([
            "nat", "-A", "KUBE-SERVICES", "-m", "comment", "--comment",
            "kubernetes service nodeports; NOTE: this must be the last rule in this chain", "-j", "KUBE-NODEPORTS",
        ]);
        expect(iptablesWords("filter -A FORWARD -i gg-cni0 ! -o gg-cni0 -j DROP")).toEqual(
            ["filter", "-A", "FORWARD", "-i", "gg-cni0", "!", "-o", "gg-cni0", "-j", "DROP"],
        );
    });
});
