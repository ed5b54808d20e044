import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { frontProxyClientName } from "../../e2e/harness/certs";
import { startLocalCluster, type LocalCluster } from "../../e2e/harness/cluster";
import { run, runOk, waitUntil, type Daemon } from "../../e2e/harness/process";
import { addonDeployments, addonObjects } from "./addons";
import { importImages, removeAllPods, shimPids, startContainerd, stopPids, type Containerd } from "./containerd";
import { cgroupProcesses, cleanupHost, snapshotHost, type HostSnapshot } from "./host";
import { acquireClusterLock } from "./lock";
import { clusterNetwork, machineNetworks, networkClashes } from "./network";
import { cgroupRoot, createCgroupRoot, nodeName, startKubelet, startKubeProxy, startScheduler } from "./node";
import type { ClusterToolchain } from "./tools";

/**
 * A real one-node Kubernetes cluster on this machine: etcd, kube-apiserver and
 * kube-controller-manager (the e2e harness's control plane, here on the node's address),
 * kube-scheduler, containerd with the bridge CNI, kubelet and kube-proxy, then CoreDNS,
 * metrics-server and the local-path storage class. stop() ends everything it started, by PID,
 * and puts the machine back as it found it (host.ts).
 */
export interface NodeCluster {
    kubeconfig: string;
    workDir: string;
    /** The host as it was before the cluster started; stop() restores it. */
    before: HostSnapshot;
    kubectl: LocalCluster["kubectl"];
    /** Every long-running process it started, by name. */
    daemons(): Daemon[];
    /** What stop() could not undo; empty when the host is as it was. */
    stop(): Promise<string[]>;
}

export interface NodeClusterOptions {
    /** Where its files go (default: a new temporary directory); removed on stop unless E2E_KEEP_WORKDIR is set. */
    workDir?: string;
    /** Called with each step as it starts, for people watching. */
    progress?: (step: string) => void;
    /**
     * Free space the run will use on the work directory's filesystem, checked before anything
     * starts. Below it, the kubelet's disk-pressure eviction deletes unused images, and the
     * images this harness imported (the pod sandbox's among them) cannot be pulled back:
     * containerd 1.6 marks none of them pinned.
     */
    needsFreeBytes?: number;
}

/** Why `available` bytes free under `dir` are too few for a cluster that needs `needed`, or undefined. */
export function diskShortfall(dir: string, available: number, needed: number): string | undefined {
    if (available >= needed) return undefined;
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    return (
        `${gib(available)} free under ${dir}, and this cluster needs ${gib(needed)}: with less, the kubelet's disk-pressure ` +
        `eviction deletes images the cluster cannot pull again. Free space there (clusters left by a killed run are ` +
        `gourmetgram-cluster-* directories; scripts/cluster/down.sh stops one) or point TMPDIR at a roomier filesystem`
    );
}

/**
 * How long a start waits for another cluster on this machine to stop: twice what the lab suite
 * (its checks and every pipeline scenario on one lab) took, 29 minutes.
 */
export const clusterLockWaitMs = 60 * 60_000;

/** Why this machine cannot run the cluster, or undefined when it can. */
export async function clusterPreflight(): Promise<string | undefined> {
    if (process.getuid?.() !== 0) return "the cluster's kubelet and containerd need root";
    const machine = await machineNetworks();
    if (machine.includes(`${clusterNetwork.nodeIp}/32`)) {
        return `${clusterNetwork.nodeIp} is already on this machine: a cluster runs here, or one was not stopped (scripts/cluster/down.sh)`;
    }
    const clashes = networkClashes(machine);
    if (clashes.length > 0) return clashes.join("; ");
    return undefined;
}

/** Drops pod traffic that would leave through any other interface than the pods' bridge. */
const egressRule = ["FORWARD", "-i", clusterNetwork.bridge, "!", "-o", clusterNetwork.bridge, "-j", "DROP"];

export async function startNodeCluster(tools: ClusterToolchain, options: NodeClusterOptions = {}): Promise<NodeCluster> {
    const progress = options.progress ?? (() => undefined);
    const release = await acquireClusterLock({
        // Long enough for the lab suite (test/cluster/lab.test.ts) to finish, when npm test
        // starts two cluster suites at once and the second waits its turn.
        timeoutMs: clusterLockWaitMs,
        onWait: (owner) => progress(`waiting for the cluster of pid ${owner} to stop (one per machine)`),
    });
    const problem = await clusterPreflight();
    if (problem) {
        release();
        throw new Error(`cannot start the cluster: ${problem}`);
    }
    if (options.needsFreeBytes !== undefined) {
        const parent = options.workDir ? path.dirname(path.resolve(options.workDir)) : os.tmpdir();
        const { bavail, bsize } = fs.statfsSync(parent);
        const shortfall = diskShortfall(parent, bavail * bsize, options.needsFreeBytes);
        if (shortfall) {
            release();
            throw new Error(`cannot start the cluster: ${shortfall}`);
        }
    }
    const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-cluster-"));
    fs.mkdirSync(workDir, { recursive: true });
    const before = await snapshotHost(cgroupRoot);
    const daemons: Daemon[] = [];
    let control: LocalCluster | undefined;
    let containerd: Containerd | undefined;
    let stopped: Promise<string[]> | undefined;

    const stop = () => {
        stopped ??= (async () => {
            const problems: string[] = [];
            const byName = (name: string) => daemons.find((d) => d.name === name);
            // The kubelet first, so it restarts nothing; then every pod and its network.
            await byName("kubelet")?.stop();
            if (containerd) {
                await removeAllPods(containerd).catch((e: Error) => problems.push(`removing pods: ${e.message}`));
                await containerd.daemon.stop();
                await stopPids(shimPids(containerd.socket));
            }
            // Containers whose shim is gone would keep running in the kubelet's cgroups.
            await stopPids(cgroupProcesses(cgroupRoot));
            const proxy = byName("kube-proxy");
            await proxy?.stop();
            if (proxy) await run(tools.kubeProxy, ["--cleanup"], { timeoutMs: 60_000 });
            await byName("kube-scheduler")?.stop();
            await control?.stop();
            problems.push(...(await cleanupHost(before, {
                cgroupRoot,
                mountRoots: [workDir],
                nodeAddress: clusterNetwork.nodeIp,
                bridge: clusterNetwork.bridge,
            })));
            if (!process.env.E2E_KEEP_WORKDIR) fs.rmSync(workDir, { recursive: true, force: true });
            release();
            return problems;
        })();
        return stopped;
    };

    try {
        progress(`node address ${clusterNetwork.nodeIp}/32 on lo; pod traffic kept on ${clusterNetwork.bridge}`);
        await runOk("ip", ["addr", "add", `${clusterNetwork.nodeIp}/32`, "dev", "lo"]);
        await runOk("iptables", ["-w", "5", "-I", ...egressRule]);

        progress("control plane: etcd, kube-apiserver, kube-controller-manager");
        control = await startLocalCluster(tools, {
            workDir: path.join(workDir, "control-plane"),
            address: clusterNetwork.nodeIp,
            serviceCidr: clusterNetwork.serviceCidr,
            pki: { serverIps: [clusterNetwork.nodeIp, clusterNetwork.apiServiceIp], frontProxy: true },
            apiserverArgs: apiserverNodeArgs(path.join(workDir, "control-plane", "pki")),
            controllerManager: true,
            controllers: ["*"],
            controllerManagerArgs: [
                `--root-ca-file=${path.join(workDir, "control-plane", "pki", "ca.crt")}`,
                `--service-account-private-key-file=${path.join(workDir, "control-plane", "pki", "sa.key")}`,
                `--cluster-name=${nodeName}`,
            ],
        });
        daemons.push(...control.daemons);
        const kubeconfig = control.kubeconfig;

        progress("kube-scheduler");
        daemons.push(await startScheduler(tools, { dir: path.join(workDir, "kube-scheduler"), kubeconfig }));

        progress("containerd (CRI, bridge CNI) and the cluster's images");
        createCgroupRoot();
        containerd = await startContainerd(tools, path.join(workDir, "containerd"));
        daemons.push(containerd.daemon);
        await importImages(tools, containerd.socket);

        progress("kubelet");
        const kubelet = await startKubelet(tools, {
            dir: path.join(workDir, "kubelet"),
            kubeconfig,
            caCert: control.pki.caCert,
            socket: containerd.socket,
        });
        daemons.push(kubelet.daemon);
        progress("kube-proxy");
        daemons.push(await startKubeProxy(tools, { dir: path.join(workDir, "kube-proxy"), kubeconfig }));

        const kubectl = control.kubectl;
        progress(`node ${nodeName} Ready`);
        await waitUntil(`node ${nodeName} Ready`, async () => {
            const r = await kubectl(["get", "node", nodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]);
            return r.stdout.trim() === "True";
        }, { timeoutMs: 180_000, daemon: kubelet.daemon });

        progress("add-ons: CoreDNS, metrics-server, local-path storage");
        const objects = await addonObjects(tools, path.join(workDir, "local-path"));
        await runOk(tools.kubectl, ["--kubeconfig", kubeconfig, "apply", "--server-side", "-f", "-"], {
            input: objects.map((o) => JSON.stringify(o)).join("\n"),
            timeoutMs: 120_000,
        });
        for (const d of addonDeployments) {
            await runOk(tools.kubectl, ["--kubeconfig", kubeconfig, "-n", d.namespace, "rollout", "status", `deployment/${d.name}`, "--timeout=240s"], {
                timeoutMs: 250_000,
            });
        }
        progress("metrics.k8s.io");
        await waitUntil("the metrics.k8s.io API to serve node metrics", async () => (await kubectl(["top", "node", nodeName])).code === 0, {
            timeoutMs: 180_000,
        });
        return { kubeconfig, workDir, before, kubectl, daemons: () => [...daemons], stop };
    } catch (error) {
        const problems = await stop();
        if (problems.length > 0) (error as Error).message += `\nand cleaning up left: ${problems.join("; ")}`;
        throw error;
    }
}

/** What the API server of a cluster with a node needs beyond the e2e control plane's flags. */
function apiserverNodeArgs(pki: string): string[] {
    return [
        // Logs, exec and port-forward: the API server calls the kubelet as the admin client.
        `--kubelet-client-certificate=${path.join(pki, "admin.crt")}`,
        `--kubelet-client-key=${path.join(pki, "admin.key")}`,
        // By its address: the node's name is in no DNS, and a lookup would leave the machine.
        "--kubelet-preferred-address-types=InternalIP",
        // The aggregation layer, for metrics-server's metrics.k8s.io.
        `--requestheader-client-ca-file=${path.join(pki, "front-proxy", "ca.crt")}`,
        `--requestheader-allowed-names=${frontProxyClientName}`,
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        `--proxy-client-cert-file=${path.join(pki, "front-proxy", "client.crt")}`,
        `--proxy-client-key-file=${path.join(pki, "front-proxy", "client.key")}`,
        // The API server reaches metrics-server at its pod address, not through a Service.
        "--enable-aggregator-routing=true",
    ];
}
