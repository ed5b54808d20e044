/**
 * Runs the cluster's images outside the cluster, for checks of one image at a time: a
 * containerd of its own (root, state and socket under one directory, as the cluster's) and
 * `ctr run` with runc, the runtime the kubelet drives. Containers share the machine's network
 * namespace so the checks reach them on 127.0.0.1, and each binds only to loopback.
 *
 * A container starts as the kubelet starts one: the image's entrypoint, then the pod's `args`
 * or else the image's cmd, or the pod's `command` in place of the entrypoint. It runs as the
 * image's user, which for each platform image is the uid the program's pod sets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { run, runOk } from "../../e2e/harness/process";
import { type Containerd, shimPids, startContainerd, stopPids } from "./containerd";
import type { ClusterImage, ClusterToolchain } from "./tools";

export interface ImageConfig {
    entrypoint: string[];
    cmd: string[];
    user: string;
    labels: Record<string, string>;
}

export interface ContainerSpec {
    /** Replaces the image's entrypoint, as a pod's `command`. */
    command?: readonly string[];
    /** Replaces the image's cmd, as a pod's `args`. */
    args?: readonly string[];
    env?: Record<string, string>;
    /** host path -> container path, read-write unless readOnly lists the container path. */
    mounts?: Record<string, string>;
    readOnlyMounts?: readonly string[];
}

export interface ImageRunner {
    /** The image's config as its archive holds it. */
    config(image: ClusterImage): Promise<ImageConfig>;
    /** Starts a container from the image, with a read-only root as the program's pods have. */
    start(id: string, image: ClusterImage, spec: ContainerSpec): Promise<void>;
    /** Runs a container to its end; its exit code and output. */
    runOnce(id: string, image: ClusterImage, spec: ContainerSpec): Promise<{ code: number; output: string }>;
    /** Runs a command inside a started container. */
    exec(id: string, args: readonly string[], env?: Record<string, string>): Promise<{ code: number; output: string }>;
    /** What a started container wrote. */
    logs(id: string): string;
    stop(): Promise<void>;
}

const namespace = "gourmetgram-image-checks";

export async function startImageRunner(tools: ClusterToolchain, dir: string): Promise<ImageRunner> {
    const containerd: Containerd = await startContainerd(tools, path.join(dir, "containerd"));
    const ctr = (args: readonly string[], timeoutMs = 120_000) =>
        run(tools.ctr, ["--address", containerd.socket, "-n", namespace, ...args], { timeoutMs });
    const imported = new Set<string>();
    const started: string[] = [];
    const logDir = path.join(dir, "logs");
    fs.mkdirSync(logDir, { recursive: true });

    async function config(image: ClusterImage): Promise<ImageConfig> {
        const raw = JSON.parse(await runOk("skopeo", ["inspect", "--config", `docker-archive:${image.archive}`])) as {
            config: { Entrypoint?: string[]; Cmd?: string[]; User?: string; Labels?: Record<string, string> };
        };
        return { entrypoint: raw.config.Entrypoint ?? [], cmd: raw.config.Cmd ?? [], user: raw.config.User ?? "", labels: raw.config.Labels ?? {} };
    }

    async function runArgs(id: string, image: ClusterImage, spec: ContainerSpec): Promise<string[]> {
        if (!imported.has(image.ref)) {
            const out = await ctr(["images", "import", image.archive]);
            if (out.code !== 0) throw new Error(`ctr images import ${image.archive}: ${out.stderr}`);
            imported.add(image.ref);
        }
        const own = await config(image);
        const process = spec.command ? [...spec.command, ...(spec.args ?? [])] : [...own.entrypoint, ...(spec.args ?? own.cmd)];
        // The image's own user (ctr 1.6 cannot set another), the runtime's default seccomp profile.
        const flags = ["--net-host", "--read-only", "--seccomp"];
        for (const [key, value] of Object.entries(spec.env ?? {})) flags.push("--env", `${key}=${value}`);
        for (const [host, inside] of Object.entries(spec.mounts ?? {})) {
            const mode = spec.readOnlyMounts?.includes(inside) ? "ro" : "rw";
            flags.push("--mount", `type=bind,src=${host},dst=${inside},options=rbind:${mode}`);
        }
        return [...flags, image.ref, id, ...process];
    }

    async function start(id: string, image: ClusterImage, spec: ContainerSpec): Promise<void> {
        const args = await runArgs(id, image, spec);
        const logFile = path.join(logDir, `${id}.log`);
        // --log-uri: the task's output to a file, so `ctr run -d` returns at once.
        const out = await ctr(["run", "-d", "--log-uri", `file://${logFile}`, ...args]);
        if (out.code !== 0) throw new Error(`ctr run ${id}: ${out.stderr}`);
        started.push(id);
    }

    async function runOnce(id: string, image: ClusterImage, spec: ContainerSpec) {
        const out = await ctr(["run", "--rm", ...(await runArgs(id, image, spec))], 300_000);
        return { code: out.code, output: out.stdout + out.stderr };
    }

    let execs = 0;
    async function exec(id: string, args: readonly string[], env: Record<string, string> = {}) {
        // ctr 1.6's exec takes no environment: `env` in the image sets it.
        const withEnv = Object.keys(env).length > 0 ? ["env", ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...args] : [...args];
        const out = await ctr(["task", "exec", "--exec-id", `check-${++execs}`, id, ...withEnv]);
        return { code: out.code, output: out.stdout + out.stderr };
    }

    function logs(id: string): string {
        const file = path.join(logDir, `${id}.log`);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    async function stop(): Promise<void> {
        for (const id of started.reverse()) {
            await ctr(["task", "kill", "--signal", "SIGKILL", id]);
            await ctr(["task", "delete", "--force", id]);
            await ctr(["container", "delete", id]);
        }
        await containerd.daemon.stop();
        await stopPids(shimPids(containerd.socket));
    }

    return { config, start, runOnce, exec, logs, stop };
}
