/**
 * Runs one image the toolchain built (an archive from images.json) as a container with runc,
 * without a cluster: `skopeo copy` turns the archive into an OCI layout, `umoci unpack` makes a
 * runtime bundle whose config.json is the image's own (user, entrypoint, PATH), and runc runs
 * it. The container shares the machine's network (so a test reaches its port on 127.0.0.1,
 * where the test tells it to listen), has a read-only root, and an empty world-writable directory
 * bound on /tmp and on each path in `volumes`, as the kubelet binds a pod's emptyDir volumes over
 * the read-only root of Argo CD's pods.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runOk, startDaemon, type Daemon } from "../../e2e/harness/process";

export interface ImageContainer {
    daemon: Daemon;
    /** Runs a command inside the running container (runc exec), as the image's user. */
    exec(args: readonly string[]): Promise<string>;
    /** Stops the container and removes its bundle and runc state. */
    stop(): Promise<void>;
}

type Spec = { process: { args: string[]; env: string[]; terminal: boolean }; root: { readonly: boolean }; mounts: object[]; linux: { namespaces: { type: string }[] } };

/** Unpacks `archive` under `workDir` and starts it as `id`; `args` replace the image's entrypoint and arguments. */
export async function runImage(
    archive: string,
    id: string,
    workDir: string,
    options: { args?: readonly string[]; env?: readonly string[]; volumes?: readonly string[] } = {},
): Promise<ImageContainer> {
    const layout = path.join(workDir, "oci");
    const bundle = path.join(workDir, "bundle");
    const state = path.join(workDir, "runc");
    fs.mkdirSync(workDir, { recursive: true });
    await runOk("skopeo", ["copy", "--quiet", `docker-archive:${archive}`, `oci:${layout}:image`], { timeoutMs: 300_000 });
    await runOk("umoci", ["unpack", "--image", `${layout}:image`, bundle], { timeoutMs: 300_000 });
    const configFile = path.join(bundle, "config.json");
    const spec = JSON.parse(fs.readFileSync(configFile, "utf8")) as Spec;
    if (options.args) spec.process.args = [...options.args];
    spec.process.env = [...spec.process.env, ...(options.env ?? [])];
    spec.process.terminal = false;
    spec.root.readonly = true;
    const volumes = [...new Set(["/tmp", ...(options.volumes ?? [])])].map((destination, i) => {
        const source = path.join(workDir, "volumes", String(i));
        fs.mkdirSync(source, { recursive: true });
        fs.chmodSync(source, 0o777);
        return { destination, type: "bind", source, options: ["rbind", "rw"] };
    });
    spec.mounts = [...spec.mounts, ...volumes];
    spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== "network");
    fs.writeFileSync(configFile, JSON.stringify(spec, null, 2));

    const daemon = startDaemon(id, "runc", ["--root", state, "run", "--bundle", bundle, id], path.join(workDir, `${id}.log`));
    return {
        daemon,
        exec: (args) => runOk("runc", ["--root", state, "exec", id, ...args], { timeoutMs: 60_000 }),
        async stop() {
            await daemon.stop();
            // `runc run` removes its container when the process ends; one still listed is removed here.
            if (fs.existsSync(path.join(state, id))) await runOk("runc", ["--root", state, "delete", "--force", id]);
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
}
