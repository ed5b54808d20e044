import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { freeLoopbackPort, run, startDaemon, waitUntil, type Daemon } from "../../e2e/harness/process";
import { cgroupHierarchies, cgroupV1Root } from "./host";
import { clusterNetwork } from "./network";
import type { ClusterToolchain } from "./tools";
import { seccompProfilesDir } from "../../../infra/k3s/seccomp-profiles";

export const nodeName = "gourmetgram-node";
/** The kubelet's cgroupRoot: pods' cgroups go below it in every v1 hierarchy. */
export const cgroupRoot = "/gourmetgram-node";

/**
 * The kubelet (cgroupfs driver) needs its cgroupRoot in every v1 hierarchy. A new cpuset
 * cgroup starts with no CPUs and no memory nodes, so it gets its parent's.
 */
export function createCgroupRoot(): void {
    for (const hierarchy of cgroupHierarchies()) {
        const dir = path.join(cgroupV1Root, hierarchy, cgroupRoot);
        fs.mkdirSync(dir, { recursive: true });
        if (fs.existsSync(path.join(dir, "cpuset.cpus"))) {
            for (const file of ["cpuset.cpus", "cpuset.mems"]) {
                fs.writeFileSync(path.join(dir, file), fs.readFileSync(path.join(dir, "..", file), "utf8").trim());
            }
        }
    }
}

export function kubeletConfig(opts: { caCert: string; socket: string; port: number; healthzPort: number }): string {
    return stringify({
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        address: clusterNetwork.nodeIp,
        port: opts.port,
        readOnlyPort: 0,
        healthzBindAddress: "127.0.0.1",
        healthzPort: opts.healthzPort,
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: opts.caCert } },
        authorization: { mode: "Webhook" },
        cgroupDriver: "cgroupfs",
        cgroupRoot,
        // This machine has cgroup v1 controllers only.
        failCgroupV1: false,
        containerRuntimeEndpoint: `unix://${opts.socket}`,
        imageServiceEndpoint: `unix://${opts.socket}`,
        clusterDNS: [clusterNetwork.dnsServiceIp],
        clusterDomain: clusterNetwork.clusterDomain,
        // No host resolvers for pods: DNS stays on the machine.
        resolvConf: "",
        // Images here cannot be pulled again, so the kubelet never collects them.
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        // A shared build machine's disk and memory are not this node's to guard.
        evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
        serializeImagePulls: false,
        rotateCertificates: false,
        serverTLSBootstrap: false,
    });
}

/**
 * The program's Localhost seccomp profiles below the kubelet's root directory, where it looks
 * them up, as the K3s install writes them below /var/lib/kubelet on every node.
 */
export function installSeccompProfiles(kubeletRootDir: string): void {
    fs.cpSync(seccompProfilesDir, path.join(kubeletRootDir, "seccomp"), { recursive: true });
}

export async function startKubelet(tools: ClusterToolchain, opts: { dir: string; kubeconfig: string; caCert: string; socket: string }): Promise<{ daemon: Daemon; port: number }> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const rootDir = path.join(opts.dir, "root");
    installSeccompProfiles(rootDir);
    const [port, healthzPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const config = path.join(opts.dir, "config.yaml");
    fs.writeFileSync(config, kubeletConfig({ caCert: opts.caCert, socket: opts.socket, port, healthzPort }));
    const daemon = startDaemon("kubelet", tools.kubelet, [
        `--config=${config}`,
        `--kubeconfig=${opts.kubeconfig}`,
        `--root-dir=${rootDir}`,
        `--cert-dir=${path.join(opts.dir, "pki")}`,
        `--node-ip=${clusterNetwork.nodeIp}`,
        `--hostname-override=${nodeName}`,
        "--v=1",
    ], path.join(opts.dir, "kubelet.log"));
    await waitUntil("kubelet /healthz", async () => (await fetch(`http://127.0.0.1:${healthzPort}/healthz`)).ok, { timeoutMs: 90_000, daemon });
    return { daemon, port };
}

export async function startKubeProxy(tools: ClusterToolchain, opts: { dir: string; kubeconfig: string }): Promise<Daemon> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const [healthz, metrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const config = path.join(opts.dir, "config.yaml");
    fs.writeFileSync(config, stringify({
        apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
        kind: "KubeProxyConfiguration",
        clientConnection: { kubeconfig: opts.kubeconfig },
        mode: "iptables",
        hostnameOverride: nodeName,
        clusterCIDR: clusterNetwork.podCidr,
        healthzBindAddress: `127.0.0.1:${healthz}`,
        metricsBindAddress: `127.0.0.1:${metrics}`,
        nodePortAddresses: [`${clusterNetwork.nodeIp}/32`],
        // Zero: kube-proxy leaves the machine's conntrack sysctls alone.
        conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
        iptables: { localhostNodePorts: false },
    }));
    const daemon = startDaemon("kube-proxy", tools.kubeProxy, [`--config=${config}`], path.join(opts.dir, "kube-proxy.log"));
    await waitUntil("kube-proxy /healthz", async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok, { timeoutMs: 90_000, daemon });
    return daemon;
}

export async function startScheduler(tools: ClusterToolchain, opts: { dir: string; kubeconfig: string }): Promise<Daemon> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const port = await freeLoopbackPort();
    const daemon = startDaemon("kube-scheduler", tools.kubeScheduler, [
        `--kubeconfig=${opts.kubeconfig}`,
        `--authentication-kubeconfig=${opts.kubeconfig}`,
        `--authorization-kubeconfig=${opts.kubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        `--cert-dir=${opts.dir}`,
        "--profiling=false",
    ], path.join(opts.dir, "kube-scheduler.log"));
    // Its serving certificate is self-signed, made at start.
    await waitUntil("kube-scheduler /healthz", async () => (await run("curl", ["-ksf", `https://127.0.0.1:${port}/healthz`])).code === 0, {
        timeoutMs: 90_000,
        daemon,
    });
    return daemon;
}
