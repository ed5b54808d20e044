/** The cluster harness's parts that need no cluster: its network ranges, the free-disk check, reading `iptables -S`, the machine-wide lock. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { diskShortfall } from "./harness/cluster";
import { iptablesWords } from "./harness/host";
import { acquireClusterLock } from "./harness/lock";
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

describe("free disk before a cluster starts", () => {
    const gib = 2 ** 30;
    it("is enough at or above what the cluster needs", () => {
        expect(diskShortfall("/tmp", 26 * gib, 26 * gib)).toBeUndefined();
        expect(diskShortfall("/tmp", 40 * gib, 26 * gib)).toBeUndefined();
    });

    it("below it, names the directory, what is free, what is needed and what to do", () => {
        const message = diskShortfall("/tmp", 11.5 * gib, 26 * gib);
        expect(message).toMatch(/^11\.5 GiB free under \/tmp, and this cluster needs 26\.0 GiB/);
        expect(message).toMatch(/deletes images the cluster cannot pull again/);
        expect(message).toMatch(/TMPDIR/);
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

describe("one cluster per machine", () => {
    const lockIn = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-lock-")), "cluster.lock");

    it("a second start waits until the first releases, then proceeds", async () => {
        const lock = lockIn();
        const releaseFirst = await acquireClusterLock({ lock, timeoutMs: 5_000 });
        let waitedFor: number | undefined;
        const second = acquireClusterLock({ lock, timeoutMs: 10_000, onWait: (owner) => (waitedFor = owner) });
        await new Promise((r) => setTimeout(r, 1_500));
        expect(waitedFor).toBe(process.pid);
        releaseFirst();
        const releaseSecond = await second;
        expect(fs.readFileSync(path.join(lock, "pid"), "utf8")).toBe(String(process.pid));
        releaseSecond();
        expect(fs.existsSync(lock)).toBe(false);
        fs.rmSync(path.dirname(lock), { recursive: true });
    });

    it("gives up, naming the owner, when the first never stops; takes over a lock whose owner is gone", async () => {
        const lock = lockIn();
        const release = await acquireClusterLock({ lock, timeoutMs: 1_000 });
        await expect(acquireClusterLock({ lock, timeoutMs: 1_500 })).rejects.toThrow(`another cluster (pid ${process.pid}) still runs on this machine`);
        release();

        fs.mkdirSync(lock);
        fs.writeFileSync(path.join(lock, "pid"), "2147483646");
        const releaseStale = await acquireClusterLock({ lock, timeoutMs: 1_000 });
        expect(fs.readFileSync(path.join(lock, "pid"), "utf8")).toBe(String(process.pid));
        releaseStale();
        fs.rmSync(path.dirname(lock), { recursive: true });
    });
});
