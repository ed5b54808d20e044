/**
 * The in-cluster image builder (docs/image-builds.md): the toolchain's image-builder image, run
 * with runc the way its Job would run it (uid 0 with only SETUID and SETGID, no privilege
 * escalation, containerd's masked /proc, a read-only root, emptyDir-like volumes, the
 * image-builder seccomp profile), builds a two-stage Dockerfile from a base image in a loopback
 * registry and pushes it there. A second build, from an empty state directory with only the
 * registry cache, rebuilds nothing but the model layer.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freeLoopbackPort, run, runOk, startDaemon, waitUntil, type Daemon } from "./harness/process";
import { describeWithToolchain } from "./harness/suite";
import { toolchainRoot } from "./harness/toolchain";
import { seccompProfileFile, seccompProfiles } from "../../infra/k3s/seccomp-profiles";

const repo = path.resolve(__dirname, "..", "..");

/** A pod container's runtime spec as containerd's CRI writes it (mounts, masked paths), with the Job's restrictions. */
function podConfig(rootfs: string, args: string[], binds: { src: string; dst: string; ro?: boolean }[], id: string): object {
    const caps = ["CAP_SETUID", "CAP_SETGID"];
    return {
        ociVersion: "1.0.2-dev",
        process: {
            user: { uid: 0, gid: 0 },
            args,
            env: ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root", "BUILDKITD_FLAGS=--config=/etc/buildkit/buildkitd.toml --oci-worker-no-process-sandbox"],
            cwd: "/",
            capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
            noNewPrivileges: true,
        },
        root: { path: rootfs, readonly: true },
        hostname: "image-build",
        mounts: [
            { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
            { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
            { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
            { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
            { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] },
            ...binds.map((b) => ({ destination: b.dst, type: "bind", source: b.src, options: ["rbind", b.ro ? "ro" : "rw"] })),
        ],
        linux: {
            // The registry is on the machine's loopback: the host's network stands in for the pod's.
            namespaces: [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
            cgroupsPath: `/gourmetgram-image-builder-test/${id}`,
            resources: { devices: [{ allow: false, access: "rwm" }], memory: { limit: 3 * 1024 ** 3 } },
            maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            seccomp: JSON.parse(fs.readFileSync(seccompProfileFile(seccompProfiles.imageBuilder), "utf8")),
        },
    };
}

describeWithToolchain("the image builder builds and pushes in a pod's restrictions", [], () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-image-builder-"));
    let registry: Daemon | undefined;
    let host = "";
    const containers: string[] = [];

    /** An emptyDir: a fresh directory anyone may write, as the kubelet makes it. */
    function emptyDir(name: string): string {
        const dir = path.join(scratch, name);
        fs.mkdirSync(dir, { recursive: true });
        fs.chmodSync(dir, 0o1777);
        return dir;
    }

    async function manifestDigest(reference: string): Promise<{ digest: string; layers: string[] }> {
        const [repository, tag] = reference.split(":");
        const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
            headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" },
        });
        expect(response.status).toBe(200);
        const manifest = (await response.json()) as { layers: { digest: string }[] };
        return { digest: response.headers.get("docker-content-digest") ?? "", layers: manifest.layers.map((l) => l.digest) };
    }

    let rootfs = "";
    const context = path.join(scratch, "context");

    beforeAll(async () => {
        if (process.getuid?.() !== 0) throw new Error("runc runs the builder's pod as root; run this suite as root");
        const images = JSON.parse(fs.readFileSync(path.join(toolchainRoot, "images.json"), "utf8")) as Record<string, { ref: string; archive: string }>;
        const builder = images["image-builder"];
        if (!builder || !fs.existsSync(builder.archive)) {
            throw new Error("the image-builder image is not built: run `bash scripts/toolchain/build.sh buildkit images`");
        }
        await runOk("skopeo", ["copy", "--quiet", `docker-archive:${builder.archive}`, `oci:${scratch}/oci:builder`], { timeoutMs: 120_000 });
        await runOk("umoci", ["unpack", "--image", `${scratch}/oci:builder`, `${scratch}/bundle`], { timeoutMs: 120_000 });
        rootfs = path.join(scratch, "bundle", "rootfs");

        const port = await freeLoopbackPort();
        host = `127.0.0.1:${port}`;
        const registryConfig = path.join(repo, "scripts/toolchain/images.d/platform/registry/config.yml");
        registry = startDaemon("registry", "env", [`REGISTRY_HTTP_ADDR=${host}`, `REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=${scratch}/registry`, "docker-registry", "serve", registryConfig], path.join(scratch, "registry.log"));
        await waitUntil("the registry", async () => (await fetch(`http://${host}/v2/`)).ok, { timeoutMs: 20_000, daemon: registry });

        // The base image: busybox packed with umoci, pushed with skopeo.
        const base = path.join(scratch, "base");
        fs.mkdirSync(path.join(base, "bin"), { recursive: true });
        fs.copyFileSync("/bin/busybox", path.join(base, "bin", "busybox"));
        fs.chmodSync(path.join(base, "bin", "busybox"), 0o755);
        for (const applet of ["sh", "mkdir", "head", "chown", "ls", "cat", "echo"]) fs.symlinkSync("busybox", path.join(base, "bin", applet));
        fs.mkdirSync(path.join(base, "etc"));
        fs.writeFileSync(path.join(base, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        await runOk("umoci", ["init", "--layout", `${scratch}/base-oci`]);
        await runOk("umoci", ["new", "--image", `${scratch}/base-oci:1`]);
        await runOk("umoci", ["insert", "--image", `${scratch}/base-oci:1`, base, "/"]);
        await runOk("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `oci:${scratch}/base-oci:1`, `docker://${host}/base/busybox:1`], { timeoutMs: 60_000 });

        fs.mkdirSync(context);
        fs.writeFileSync(
            path.join(context, "Dockerfile"),
            [
                `FROM ${host}/base/busybox:1 AS deps`,
                "RUN mkdir -p /opt/venv && head -c 33554432 /dev/urandom > /opt/venv/heavy.bin && echo svc:x:1234:1234::/:/bin/sh >> /etc/passwd && chown -R 1234:1234 /opt/venv",
                `FROM ${host}/base/busybox:1`,
                "COPY --from=deps /opt/venv /opt/venv",
                "COPY food11.pth versions.txt /app/",
                "",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(scratch, "buildkitd.toml"), `[registry."${host}"]\n  http = true\n`);
    }, 300_000);

    afterAll(async () => {
        for (const id of containers) await run("runc", ["delete", "--force", id]);
        await registry?.stop();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** One Job's run: a fresh state directory, the model `version`; returns the log and the digest buildctl reports. */
    async function build(version: string): Promise<{ log: string; digest: string; reference: string }> {
        fs.writeFileSync(path.join(context, "food11.pth"), `weights of model version ${version}\n`.repeat(1000));
        fs.writeFileSync(path.join(context, "versions.txt"), `${version}\n`);
        const id = `gourmetgram-image-builder-${process.pid}-${version}`;
        containers.push(id);
        const out = emptyDir(`out-${version}`);
        const reference = `app:staging-1.0.${version}`;
        const cache = `type=registry,ref=${host}/app:buildcache`;
        const bundle = emptyDir(`bundle-${version}`);
        const config = podConfig(rootfs, [
            "/usr/local/bin/image-build", "build", "--progress=plain", "--frontend=dockerfile.v0",
            "--local=context=/workspace/context", "--local=dockerfile=/workspace/context",
            `--output=type=image,name=${host}/${reference},push=true`,
            `--export-cache=${cache},mode=max`, `--import-cache=${cache}`,
            "--metadata-file=/out/metadata.json",
        ], [
            { src: context, dst: "/workspace/context", ro: true },
            { src: path.join(scratch, "buildkitd.toml"), dst: "/etc/buildkit/buildkitd.toml", ro: true },
            { src: out, dst: "/out" },
            { src: emptyDir(`state-${version}`), dst: "/var/lib/buildkit" },
            { src: emptyDir(`run-buildkit-${version}`), dst: "/run/buildkit" },
            { src: emptyDir(`run-runc-${version}`), dst: "/run/runc" },
        ], id);
        fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(config));
        const result = await run("runc", ["run", "--bundle", bundle, id], { timeoutMs: 120_000 });
        const log = result.stdout + result.stderr;
        if (result.code !== 0) throw new Error(`the build exited ${result.code}:\n${log.split("\n").slice(-40).join("\n")}`);
        const metadata = JSON.parse(fs.readFileSync(path.join(out, "metadata.json"), "utf8")) as Record<string, string>;
        return { log, digest: metadata["containerimage.digest"], reference };
    }

    it("builds and pushes the image; the registry serves the digest buildctl reports", async () => {
        const first = await build("1");
        expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        const pushed = await manifestDigest(first.reference);
        expect(pushed.digest).toBe(first.digest);
        expect(first.log).not.toMatch(/^#\d+ CACHED$/m);

        // Another Job, nothing local: the heavy stage comes from the registry cache, only the model layer is new.
        const second = await build("2");
        const again = await manifestDigest(second.reference);
        expect(again.digest).toBe(second.digest);
        expect(second.digest).not.toBe(first.digest);
        const heavyStep = /^#(\d+) \[deps 2\/2\] RUN /m.exec(second.log);
        expect(heavyStep).not.toBeNull();
        expect(second.log).toMatch(new RegExp(`^#${heavyStep![1]} CACHED$`, "m"));
        expect(again.layers.slice(0, -1)).toEqual(pushed.layers.slice(0, -1));
        expect(again.layers.at(-1)).not.toBe(pushed.layers.at(-1));
    }, 240_000);
});
