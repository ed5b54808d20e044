/**
 * The in-cluster image builder (docs/image-builds.md) as the product renders it: ImageBuild's Job
 * (imageBuildManifests), its pod spec turned into runc runtime specs the way containerd's CRI
 * turns it (the containers' command, args, user, capabilities, no privilege escalation, read-only
 * root, volumes; containerd's masked /proc; the seccomp profile from its product home), run with
 * runc on the toolchain's stand-in for the BuildKit image. The loopback registry wants a login,
 * as the lab's does, and the Job reads it from its namespace's login Secret as the kubelet
 * projects it. The Job unpacks its context, builds a two-stage Dockerfile from a base image in
 * the registry and pushes it there; a second Job, with a new model file and empty volumes, takes
 * the heavy stage from the registry cache; a Job whose Secret holds no login for the registry
 * cannot push. Under the runtime's default seccomp profile the builder stops at once, saying
 * what it needs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IKeyToPath } from "kubernetes-models/v1/KeyToPath";
import type { ISecret } from "kubernetes-models/v1/Secret";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freeLoopbackPort, run, runOk, startDaemon, waitUntil, type Daemon } from "./harness/process";
import { describeWithToolchain } from "./harness/suite";
import { toolchainRoot } from "./harness/toolchain";
import { seccompProfileFile, seccompProfiles, type SeccompProfileName } from "../../infra/k3s/seccomp-profiles";
import { metadataFile, noUserNamespaceExitCode } from "../../infra/platform/image-build/builder";
import { buildContext, contentTag } from "../../infra/platform/image-build/context";
import { imageBuildManifests, imageReference } from "../../infra/platform/image-build/manifests";
import { htpasswdFile, loginSecretData, loginSecretManifest, type RegistryLogin } from "../../infra/platform/registry/login";
import { namespaces, registryCredentials } from "../../vocabulary/names";

const repo = path.resolve(__dirname, "..", "..");

type SeccompRule = { names: string[]; action: string } & Record<string, unknown>;
type SeccompProfile = { syscalls: SeccompRule[] } & Record<string, unknown>;

function localhostProfile(name: string): SeccompProfile {
    return JSON.parse(fs.readFileSync(seccompProfileFile(name as SeccompProfileName), "utf8")) as SeccompProfile;
}

/**
 * containerd's RuntimeDefault for a container without CAP_SYS_ADMIN: the image-builder profile
 * without what it adds (the namespace and mount calls, ENOSYS for the keyring calls), with
 * containerd's own rules for clone (no CLONE_NEW* flag) and clone3 (ENOSYS) instead.
 */
function runtimeDefaultProfile(): SeccompProfile {
    const builder = localhostProfile(seccompProfiles.imageBuilder);
    const added = new Set(["clone", "clone3", "unshare", "setns", "mount", "umount2", "pivot_root", "sethostname", "setdomainname", "keyctl", "add_key", "request_key"]);
    return {
        ...builder,
        syscalls: [
            ...builder.syscalls.map((rule) => ({ ...rule, names: rule.names.filter((name) => !added.has(name)) })).filter((rule) => rule.names.length > 0),
            { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] },
            { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
        ],
    };
}

interface ImageProcess {
    env: string[];
    cwd: string;
    user: { uid: number; gid: number };
}

/** One container of a pod as containerd's CRI writes its runtime spec; `volumes` maps each volume name to its host directory. */
function runtimeSpec(rootfs: string, image: ImageProcess, container: IContainer, volumes: Map<string, string>, id: string, seccomp?: SeccompProfile): object {
    const sc = container.securityContext ?? {};
    expect(sc.capabilities?.drop, container.name).toEqual(["ALL"]);
    const caps = (sc.capabilities?.add ?? []).map((cap) => `CAP_${cap}`);
    const profile = sc.seccompProfile?.type === "Localhost" ? localhostProfile(sc.seccompProfile.localhostProfile!) : runtimeDefaultProfile();
    return {
        ociVersion: "1.0.2-dev",
        process: {
            user: { uid: sc.runAsUser ?? image.user.uid, gid: sc.runAsGroup ?? image.user.gid },
            args: [...(container.command ?? []), ...(container.args ?? [])],
            env: [...image.env, ...(container.env ?? []).map((e) => `${e.name}=${e.value}`)],
            cwd: container.workingDir ?? image.cwd,
            capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
            noNewPrivileges: sc.allowPrivilegeEscalation === false,
        },
        root: { path: rootfs, readonly: sc.readOnlyRootFilesystem === true },
        hostname: "image-build",
        mounts: [
            { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
            { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
            { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
            { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
            { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ...(container.volumeMounts ?? []).map((mount) => {
                const source = volumes.get(mount.name);
                if (!source) throw new Error(`${container.name} mounts ${mount.name}, which the pod has no volume for`);
                return { destination: mount.mountPath, type: "bind", source, options: ["rbind", mount.readOnly ? "ro" : "rw"] };
            }),
        ],
        linux: {
            // The registry is on the machine's loopback: the host's network stands in for the pod's.
            namespaces: [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
            cgroupsPath: `/gourmetgram-image-builder-test/${id}`,
            resources: { devices: [{ allow: false, access: "rwm" }], memory: { limit: 3 * 1024 ** 3 } },
            maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            seccomp: seccomp ?? profile,
        },
    };
}

describeWithToolchain("the product's image build Job builds and pushes in a pod's restrictions", [], () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-image-builder-"));
    let registry: Daemon | undefined;
    let host = "";
    const containers: string[] = [];
    let rootfs = "";
    let image: ImageProcess;
    const context = path.join(scratch, "context");
    const login: RegistryLogin = { username: registryCredentials.username, password: `pw${process.pid}${Date.now()}` };
    const authorization = { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}` };
    /** The namespace's login Secret as the program writes it, here for the loopback registry's host. */
    const loginSecret = (who: RegistryLogin | undefined): ISecret => ({
        ...loginSecretManifest(namespaces.platform),
        data: Object.fromEntries(
            Object.entries(who ? loginSecretData(who, host) : { ".dockerconfigjson": JSON.stringify({ auths: {} }) }).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
        ),
    });

    /** A directory anyone may write, as the kubelet makes an emptyDir. */
    function emptyDir(name: string): string {
        const dir = path.join(scratch, name);
        fs.mkdirSync(dir, { recursive: true });
        fs.chmodSync(dir, 0o1777);
        return dir;
    }

    /** Each of the pod's volumes as a host directory: emptyDirs fresh, ConfigMaps and Secrets written out as the kubelet projects them. */
    function podVolumes(pod: IPodSpec, configMaps: IConfigMap[], podName: string, secrets: ISecret[]): Map<string, string> {
        const volumes = new Map<string, string>();
        for (const volume of pod.volumes ?? []) {
            const dir = emptyDir(`${podName}/${volume.name}`);
            if (volume.secret) {
                const secret = secrets.find((s) => s.metadata?.name === volume.secret!.secretName);
                if (!secret) throw new Error(`volume ${volume.name} names Secret ${volume.secret.secretName}, which the namespace does not hold`);
                const items: IKeyToPath[] = volume.secret.items ?? Object.keys(secret.data ?? {}).map((key) => ({ key, path: key }));
                for (const item of items) {
                    // The kubelet's default mode is 0644; owned by the node's root, as here.
                    fs.writeFileSync(path.join(dir, item.path), Buffer.from(secret.data![item.key], "base64"), { mode: item.mode ?? volume.secret.defaultMode ?? 0o644 });
                }
                fs.chmodSync(dir, 0o755);
            } else if (volume.configMap) {
                const configMap = configMaps.find((c) => c.metadata?.name === volume.configMap!.name);
                if (!configMap) throw new Error(`volume ${volume.name} names ConfigMap ${volume.configMap.name}, which the Job does not come with`);
                const items = volume.configMap.items ?? Object.keys({ ...configMap.data, ...configMap.binaryData }).map((key) => ({ key, path: key }));
                for (const item of items) {
                    const text = configMap.data?.[item.key];
                    const content = text !== undefined ? Buffer.from(text) : Buffer.from(configMap.binaryData![item.key], "base64");
                    fs.writeFileSync(path.join(dir, item.path), content, { mode: 0o644 });
                }
                fs.chmodSync(dir, 0o755);
            } else if (!volume.emptyDir) {
                throw new Error(`volume ${volume.name} is neither an emptyDir, a ConfigMap nor a Secret`);
            }
            volumes.set(volume.name, dir);
        }
        return volumes;
    }

    async function runContainer(container: IContainer, volumes: Map<string, string>, id: string, seccomp?: SeccompProfile) {
        const bundle = emptyDir(`bundles/${id}`);
        fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(runtimeSpec(rootfs, image, container, volumes, id, seccomp)));
        const runId = `gourmetgram-image-builder-${process.pid}-${id}`;
        containers.push(runId);
        const result = await run("runc", ["run", "--bundle", bundle, runId], { timeoutMs: 180_000 });
        return { code: result.code, log: result.stdout + result.stderr };
    }

    /** A pod as the kubelet runs it: the init containers in order, then the (one) container; its log and volumes. */
    async function runPod(pod: IPodSpec, configMaps: IConfigMap[], podName: string, secrets: ISecret[]) {
        const volumes = podVolumes(pod, configMaps, podName, secrets);
        for (const init of pod.initContainers ?? []) {
            const result = await runContainer(init, volumes, `${podName}-${init.name}`);
            if (result.code !== 0) throw new Error(`init container ${init.name} exited ${result.code}:\n${result.log}`);
        }
        expect(pod.containers).toHaveLength(1);
        return { ...(await runContainer(pod.containers[0], volumes, `${podName}-${pod.containers[0].name}`)), volumes };
    }

    async function manifestOf(reference: string): Promise<{ digest: string; layers: string[] }> {
        const [repository, tag] = reference.slice(host.length + 1).split(":");
        const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
            headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json", ...authorization },
        });
        expect(response.status).toBe(200);
        const manifest = (await response.json()) as { layers: { digest: string }[] };
        return { digest: response.headers.get("docker-content-digest") ?? "", layers: manifest.layers.map((l) => l.digest) };
    }

    /** The Job the program would render for the context as it is now: its ConfigMap, its pod, the reference it pushes. */
    function renderJob(contextDir = context) {
        const source = buildContext(contextDir, "Dockerfile");
        const tag = contentTag(source.digest);
        const manifests = imageBuildManifests({
            repository: "app",
            registryHost: host,
            tag,
            dockerfile: "Dockerfile",
            namespace: namespaces.platform,
            archiveBase64: source.archive.toString("base64"),
        });
        return { manifests, pod: manifests.job.spec!.template.spec!, reference: imageReference(host, "app", tag), tag };
    }

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
        image = (JSON.parse(fs.readFileSync(path.join(scratch, "bundle", "config.json"), "utf8")) as { process: ImageProcess }).process;

        const port = await freeLoopbackPort();
        host = `127.0.0.1:${port}`;
        const registryConfig = path.join(repo, "scripts/toolchain/images.d/platform/registry/config.yml");
        // The product's htpasswd auth (infra/platform/registry/manifests.ts), set the same way: by environment.
        const htpasswd = path.join(scratch, "htpasswd");
        fs.writeFileSync(htpasswd, htpasswdFile(login.username, bcrypt.hashSync(login.password, 10)));
        const auth = ["REGISTRY_AUTH=htpasswd", "REGISTRY_AUTH_HTPASSWD_REALM=test", `REGISTRY_AUTH_HTPASSWD_PATH=${htpasswd}`];
        registry = startDaemon(
            "registry",
            "env",
            [`REGISTRY_HTTP_ADDR=${host}`, `REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=${scratch}/registry`, ...auth, "docker-registry", "serve", registryConfig],
            path.join(scratch, "registry.log"),
        );
        await waitUntil("the registry", async () => (await fetch(`http://${host}/`)).ok, { timeoutMs: 20_000, daemon: registry });
        expect((await fetch(`http://${host}/v2/`)).status).toBe(401);

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
        await runOk("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `--dest-creds=${login.username}:${login.password}`, `oci:${scratch}/base-oci:1`, `docker://${host}/base/busybox:1`], {
            timeoutMs: 60_000,
        });

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
    }, 300_000);

    afterAll(async () => {
        for (const id of containers) await run("runc", ["delete", "--force", id]);
        await registry?.stop();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** One Job for the model `version`, from empty volumes: its log and the digest buildctl reports. */
    async function build(version: string): Promise<{ log: string; digest: string; reference: string }> {
        fs.writeFileSync(path.join(context, "food11.pth"), `weights of model version ${version}\n`.repeat(1000));
        fs.writeFileSync(path.join(context, "versions.txt"), `${version}\n`);
        const job = renderJob();
        const pod = await runPod(job.pod, [job.manifests.context], `build-${version}`, [loginSecret(login)]);
        if (pod.code !== 0) throw new Error(`the build exited ${pod.code}:\n${pod.log.split("\n").slice(-60).join("\n")}`);
        const tmp = pod.volumes.get(job.pod.containers[0].volumeMounts!.find((m) => m.mountPath === path.dirname(metadataFile))!.name)!;
        const metadata = JSON.parse(fs.readFileSync(path.join(tmp, path.basename(metadataFile)), "utf8")) as Record<string, string>;
        return { log: pod.log, digest: metadata["containerimage.digest"], reference: job.reference };
    }

    it("runs on a stand-in laid out as upstream's image: buildkitd, buildctl, unshare, and runc only as buildkit-runc", () => {
        for (const file of ["usr/bin/buildkitd", "usr/bin/buildctl", "usr/bin/unshare", "usr/bin/buildkit-runc", "bin/sh", "bin/tar"]) {
            expect(fs.existsSync(path.join(rootfs, file)), file).toBe(true);
        }
        for (const file of ["usr/bin/runc", "usr/sbin/runc", "usr/bin/buildctl-daemonless.sh"]) expect(fs.existsSync(path.join(rootfs, file)), file).toBe(false);
    });

    it("builds and pushes the image; the registry serves the digest buildctl reports; a new model's Job takes the heavy stage from the registry cache", async () => {
        const first = await build("1");
        expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        const pushed = await manifestOf(first.reference);
        expect(pushed.digest).toBe(first.digest);
        expect(first.log).not.toMatch(/^#\d+ CACHED$/m);
        const cache = await fetch(`http://${host}/v2/app/manifests/buildcache`, {
            headers: { accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json", ...authorization },
        });
        expect(cache.status).toBe(200);

        // Another Job, nothing local: the heavy stage comes from the registry cache, only the model layer is new.
        const second = await build("2");
        const again = await manifestOf(second.reference);
        expect(again.digest).toBe(second.digest);
        expect(second.digest).not.toBe(first.digest);
        expect(second.reference).not.toBe(first.reference);
        const heavyStep = /^#(\d+) \[deps 2\/2\] RUN /m.exec(second.log);
        expect(heavyStep).not.toBeNull();
        expect(second.log).toMatch(new RegExp(`^#${heavyStep![1]} CACHED$`, "m"));
        expect(again.layers.slice(0, -1)).toEqual(pushed.layers.slice(0, -1));
        expect(again.layers.at(-1)).not.toBe(pushed.layers.at(-1));
    }, 420_000);

    it("cannot push when its namespace's Secret holds no login for the registry: the registry answers 401", async () => {
        // FROM scratch: nothing to pull, so only the push (and the cache) needs the registry.
        const alone = path.join(scratch, "context-without-login");
        fs.mkdirSync(alone);
        fs.writeFileSync(path.join(alone, "Dockerfile"), "FROM scratch\nCOPY versions.txt /\n");
        fs.writeFileSync(path.join(alone, "versions.txt"), "1\n");
        const job = renderJob(alone);
        const pod = await runPod(job.pod, [job.manifests.context], "without-login", [loginSecret(undefined)]);
        expect(pod.code, pod.log.split("\n").slice(-30).join("\n")).not.toBe(0);
        // The image's push and the cache's run side by side: whichever the registry refuses first ends the build.
        expect(pod.log).toMatch(/^error: failed to solve: .*: 401 Unauthorized$/m);
        const [repository, tag] = job.reference.slice(host.length + 1).split(":");
        const stored = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json", ...authorization } });
        expect(stored.status).toBe(404);
    }, 300_000);

    it(`stops with exit ${noUserNamespaceExitCode} and says what the pod needs under the runtime's default seccomp profile`, async () => {
        const job = renderJob();
        const volumes = podVolumes(job.pod, [job.manifests.context], "refused", [loginSecret(login)]);
        const result = await runContainer(job.pod.containers[0], volumes, "refused", runtimeDefaultProfile());
        expect(result.code, result.log).toBe(noUserNamespaceExitCode);
        expect(result.log).toContain("image-build: cannot create the build's user namespace (unshare: unshare failed: Operation not permitted).");
        expect(result.log).toContain("under the seccomp profile gourmetgram/image-builder.json that the K3s install keeps on every node");
    }, 60_000);
});
