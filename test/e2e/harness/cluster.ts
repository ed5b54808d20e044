import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generatePki, type ClusterPki, type PkiOptions } from "./certs";
import { freeLoopbackPort, run, startDaemon, waitUntil, type Daemon } from "./process";
import type { Toolchain } from "./toolchain";

/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver, and on request
 * kube-controller-manager with its namespace controller and garbage collector only. No
 * kubelet or scheduler runs, so objects are stored and validated (CRD schemas, RBAC,
 * admission) but no pod ever starts. Without the controller manager a deleted namespace stays
 * Terminating and an object deleted in the foreground keeps waiting for its dependents.
 */
export interface LocalCluster {
    kubeconfig: string;
    workDir: string;
    server: string;
    pki: ClusterPki;
    /** What it started, in order. */
    daemons: readonly Daemon[];
    kubectl(args: readonly string[], options?: { input?: string; timeoutMs?: number }): ReturnType<typeof run>;
    stop(): Promise<void>;
}

export interface LocalClusterOptions {
    /** Start kube-controller-manager (toolchain `kubeControllerManager`): namespace controller and garbage collector. */
    controllerManager?: boolean;
    /** kube-controller-manager's --controllers (default clusterControllers), and more of its flags. */
    controllers?: readonly string[];
    controllerManagerArgs?: readonly string[];
    /** The address the API server binds and advertises (default 127.0.0.1); a node's pods must reach it. */
    address?: string;
    /** --service-cluster-ip-range (default 10.96.0.0/24). */
    serviceCidr?: string;
    pki?: PkiOptions;
    /** Appended to kube-apiserver's flags; of a repeated flag the last wins. */
    apiserverArgs?: readonly string[];
    /** Where its files go (default: a new temporary directory); removed on stop unless E2E_KEEP_WORKDIR is set. */
    workDir?: string;
}

/**
 * The controllers deletion depends on, and the one that fills in service account token Secrets
 * (the provider waits for the token); nothing that would need a node or start a pod.
 */
export const clusterControllers = ["namespace-controller", "garbage-collector-controller", "serviceaccount-token-controller"] as const;

export async function startLocalCluster(tools: Toolchain, options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-e2e-"));
    fs.mkdirSync(workDir, { recursive: true });
    const address = options.address ?? "127.0.0.1";
    const daemons: Daemon[] = [];
    const stop = async () => {
        for (const daemon of daemons.reverse()) await daemon.stop();
        if (!process.env.E2E_KEEP_WORKDIR) fs.rmSync(workDir, { recursive: true, force: true });
    };
    try {
        const pki = await generatePki(path.join(workDir, "pki"), options.pki);
        const [etcdClient, etcdPeer, apiPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
        const etcdUrl = `http://127.0.0.1:${etcdClient}`;
        const peerUrl = `http://127.0.0.1:${etcdPeer}`;

        const etcd = startDaemon("etcd", tools.etcd, [
            "--name=e2e",
            `--data-dir=${path.join(workDir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=${peerUrl}`,
            `--initial-advertise-peer-urls=${peerUrl}`,
            `--initial-cluster=e2e=${peerUrl}`,
            "--unsafe-no-fsync",
        ], path.join(workDir, "etcd.log"));
        daemons.push(etcd);
        await waitUntil("etcd /health", async () => (await fetch(`${etcdUrl}/health`)).ok, {
            timeoutMs: 30_000,
            daemon: etcd,
        });

        const server = `https://${address}:${apiPort}`;
        const apiserver = startDaemon("kube-apiserver", tools.kubeApiserver, [
            `--etcd-servers=${etcdUrl}`,
            `--bind-address=${address}`,
            `--advertise-address=${address}`,
            `--secure-port=${apiPort}`,
            `--tls-cert-file=${pki.serverCert}`,
            `--tls-private-key-file=${pki.serverKey}`,
            `--client-ca-file=${pki.caCert}`,
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc",
            `--service-account-key-file=${pki.serviceAccountPub}`,
            `--service-account-signing-key-file=${pki.serviceAccountKey}`,
            // ClusterIP allocation; only a node cluster (test/cluster) routes to it, through kube-proxy.
            `--service-cluster-ip-range=${options.serviceCidr ?? "10.96.0.0/24"}`,
            "--allow-privileged=false",
            "--profiling=false",
            // This plugin puts a protection finalizer on every PVC that only the (absent)
            // controller manager removes: a deleted PVC would wait for it forever.
            "--disable-admission-plugins=StorageObjectInUseProtection",
            ...(options.apiserverArgs ?? []),
        ], path.join(workDir, "kube-apiserver.log"));
        daemons.push(apiserver);

        const kubeconfig = path.join(workDir, "kubeconfig");
        fs.writeFileSync(kubeconfig, kubeconfigYaml(server, pki.caCert, pki.adminCert, pki.adminKey), { mode: 0o600 });
        const kubectl: LocalCluster["kubectl"] = (args, options = {}) =>
            run(tools.kubectl, ["--kubeconfig", kubeconfig, ...args], {
                input: options.input,
                timeoutMs: options.timeoutMs ?? 60_000,
            });
        await waitUntil("kube-apiserver /readyz", async () => (await kubectl(["get", "--raw", "/readyz"])).code === 0, {
            timeoutMs: 90_000,
            daemon: apiserver,
        });
        // The default namespace and service account appear once the bootstrap controllers ran.
        await waitUntil("namespace default", async () => (await kubectl(["get", "namespace", "default"])).code === 0, {
            timeoutMs: 30_000,
            daemon: apiserver,
        });
        if (options.controllerManager) {
            await startControllerManager(tools, kubeconfig, workDir, kubectl, daemons, options, pki);
        }
        return { kubeconfig, workDir, server, pki, daemons, kubectl, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}

async function startControllerManager(
    tools: Toolchain,
    kubeconfig: string,
    workDir: string,
    kubectl: LocalCluster["kubectl"],
    daemons: Daemon[],
    options: LocalClusterOptions,
    pki: ClusterPki,
): Promise<void> {
    const port = await freeLoopbackPort();
    const manager = startDaemon("kube-controller-manager", tools.kubeControllerManager, [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        `--controllers=${(options.controllers ?? clusterControllers).join(",")}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        `--cert-dir=${path.join(workDir, "kube-controller-manager")}`,
        "--profiling=false",
        // The token controller signs with the key the API server verifies and hands out its CA.
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        ...(options.controllerManagerArgs ?? []),
    ], path.join(workDir, "kube-controller-manager.log"));
    daemons.push(manager);
    // Ready once it does its job: a namespace deleted now really goes away.
    const probe = `e2e-controller-probe-${port}`;
    const created = await kubectl(["create", "namespace", probe]);
    if (created.code !== 0) throw new Error(`creating namespace ${probe}: ${created.stderr}`);
    await kubectl(["delete", "namespace", probe, "--wait=false"]);
    await waitUntil(`namespace ${probe} to be finalized`, async () => {
        const found = await kubectl(["get", "namespace", probe, "-o", "name"]);
        return found.code !== 0 && /NotFound/.test(found.stderr);
    }, { timeoutMs: 120_000, daemon: manager });
}

function kubeconfigYaml(server: string, ca: string, cert: string, key: string): string {
    const b64 = (file: string) => fs.readFileSync(file).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${b64(ca)}`,
        "users:",
        "- name: e2e-admin",
        "  user:",
        `    client-certificate-data: ${b64(cert)}`,
        `    client-key-data: ${b64(key)}`,
        "contexts:",
        "- name: e2e",
        "  context: {cluster: e2e, user: e2e-admin}",
        "current-context: e2e",
        "",
    ].join("\n");
}
