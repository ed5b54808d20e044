import * as fs from "node:fs";
import * as path from "node:path";
import { run, runOk, startDaemon, waitUntil, type Daemon } from "../../e2e/harness/process";
import { registry, registryNodeMirror } from "../../../vocabulary/names";
import { clusterNetwork } from "./network";
import { registryImageNames } from "./registry-images";
import type { ClusterToolchain } from "./tools";

/** The cluster's own containerd: its root, state, socket and CNI config all under dir. */
export interface Containerd {
    daemon: Daemon;
    socket: string;
    /** crictl against this containerd. */
    crictl(args: readonly string[]): ReturnType<typeof run>;
}

/** Where this node's containerd pulls the in-cluster registry's images from. */
export function registryMirrorEndpoint(): string {
    return `http://${clusterNetwork.nodeIp}:${registryNodeMirror.nodePort}`;
}

export function containerdConfig(dir: string, tools: ClusterToolchain): string {
    return `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "${dir}/containerd.sock"

[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${tools.images.pause.ref}"
  # This machine gives root no CAP_SYS_RESOURCE: runc may not set a negative oom_score_adj.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false

# The in-cluster registry, as K3s's registries.yaml points every node at it (vocabulary/names.ts
# registryNodeMirror), except that this kube-proxy answers NodePorts on the node's address only.
[plugins."io.containerd.grpc.v1.cri".registry.mirrors."${registry.host}"]
  endpoint = ["${registryMirrorEndpoint()}"]

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "${tools.cniBinDir}"
  conf_dir = "${dir}/cni"
  max_conf_num = 1
`;
}

/** The pod network: one bridge, host-local addresses from the pod range, no masquerading. */
export function cniConfig(ipamDir: string): string {
    return JSON.stringify({
        cniVersion: "1.0.0",
        name: "gourmetgram",
        plugins: [
            {
                type: "bridge",
                bridge: clusterNetwork.bridge,
                isGateway: true,
                ipMasq: false,
                hairpinMode: true,
                ipam: {
                    type: "host-local",
                    ranges: [[{ subnet: clusterNetwork.podCidr }]],
                    routes: [{ dst: "0.0.0.0/0" }],
                    dataDir: ipamDir,
                },
            },
            { type: "portmap", capabilities: { portMappings: true } },
        ],
    }, null, 2);
}

export async function startContainerd(tools: ClusterToolchain, dir: string): Promise<Containerd> {
    fs.mkdirSync(path.join(dir, "cni"), { recursive: true });
    fs.writeFileSync(path.join(dir, "cni", "10-gourmetgram.conflist"), cniConfig(path.join(dir, "cni-ipam")));
    const config = path.join(dir, "config.toml");
    fs.writeFileSync(config, containerdConfig(dir, tools));
    const socket = path.join(dir, "containerd.sock");
    const daemon = startDaemon("containerd", tools.containerd, ["--config", config], path.join(dir, "containerd.log"));
    const crictl = (args: readonly string[]) =>
        run(tools.crictl, ["--runtime-endpoint", `unix://${socket}`, "--image-endpoint", `unix://${socket}`, "--timeout", "20s", ...args], {
            timeoutMs: 60_000,
        });
    await waitUntil("containerd's CRI", async () => (await crictl(["info"])).code === 0, { timeoutMs: 60_000, daemon });
    return { daemon, socket, crictl };
}

/**
 * Loads each image archive into the k8s.io namespace, where the kubelet finds it; not those the
 * pipeline's pods pull from the in-cluster registry, which reach the node through it.
 */
export async function importImages(tools: ClusterToolchain, socket: string): Promise<void> {
    const built = Object.entries(tools.images as Record<string, { archive: string }>);
    for (const [, image] of built.filter(([name]) => !registryImageNames.has(name))) {
        await runOk(tools.ctr, ["--address", socket, "-n", "k8s.io", "images", "import", image.archive], { timeoutMs: 120_000 });
    }
}

/**
 * Every pod sandbox gone (their containers stopped, their network torn down by the CNI
 * plugins), then the shims of this containerd: a shim outlives containerd, so any left is
 * stopped by PID, found by the socket address it was started with (unique to this cluster).
 */
export async function removeAllPods(c: Containerd): Promise<void> {
    await c.crictl(["rmp", "--all", "--force"]);
}

export function shimPids(socket: string): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let cmdline: string[];
        try {
            cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        } catch {
            continue;
        }
        if (!path.basename(cmdline[0] ?? "").startsWith("containerd-shim")) continue;
        const at = cmdline.indexOf("-address");
        if (at >= 0 && cmdline[at + 1] === socket) pids.push(Number(entry));
    }
    return pids;
}

/** SIGTERM, then SIGKILL after graceMs, for processes of our own identified by PID; resolves once they are gone. */
export async function stopPids(pids: readonly number[], graceMs = 10_000): Promise<void> {
    const alive = (pid: number) => {
        try {
            return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        } catch {
            return false;
        }
    };
    const signal = (pid: number, sig: NodeJS.Signals) => {
        try {
            process.kill(pid, sig);
        } catch {
            // already gone
        }
    };
    for (const pid of pids) signal(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
    const killDeadline = Date.now() + 5_000;
    while (pids.some(alive) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 100));
}
