/**
 * The image builder's container (infra/platform/image-build/builder.ts): the buildctl arguments,
 * the security context and volumes the decision record asks for, and the script itself, run
 * with stand-ins for unshare, buildkitd and buildctl on PATH (test/e2e/image-builder.test.ts
 * runs it with the real ones, in a pod's restrictions).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pod } from "kubernetes-models/v1/Pod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry, registryCredentials } from "../../../vocabulary/names";
import { appArmorProfiles, withoutNodeAppArmor } from "../../../infra/k3s/apparmor-profiles";
import { seccompProfiles } from "../../../infra/k3s/seccomp-profiles";
import {
    buildCacheReference,
    buildctlBuildArgs,
    buildkitdConfig,
    buildkitdConfigMap,
    buildkitdConfigMapName,
    imageBuilderContainer,
    imageBuilderVolumes,
    imageBuildScript,
    metadataFile,
    noUserNamespaceExitCode,
} from "../../../infra/platform/image-build/builder";
import { type ProgramRun, runProgram, stacksDir } from "../../support/program";
import { validate } from "./schema";

const repo = `${registry.host}/gourmetgram-app`;
const request = {
    name: "image-build",
    image: "docker.io/moby/buildkit:v0.34.0",
    contextDir: "/workspace/context",
    dockerfile: "images/app/Dockerfile",
    images: [`${repo}:staging-1.0.7`, `${repo}:canary-1.0.7`],
    contextMount: { name: "context", mountPath: "/workspace/context", readOnly: true },
    resources: { limits: { cpu: "2", memory: "3Gi" } },
};
const container = imageBuilderContainer({ ...request, nodeProfiles: withoutNodeAppArmor });

describe("the builder's buildctl arguments", () => {
    it("build the Dockerfile frontend's context, push every reference at once and use the registry cache both ways", () => {
        expect(container.args).toEqual([
            "--progress=plain",
            "--frontend=dockerfile.v0",
            "--local=context=/workspace/context",
            "--local=dockerfile=/workspace/context",
            "--opt=filename=images/app/Dockerfile",
            `--output=type=image,"name=${repo}:staging-1.0.7,${repo}:canary-1.0.7",push=true`,
            `--export-cache=type=registry,ref=${repo}:buildcache,mode=max`,
            `--import-cache=type=registry,ref=${repo}:buildcache`,
            `--metadata-file=${metadataFile}`,
        ]);
    });

    it("keep the cache in the images' own repository, and refuse references that share none", () => {
        expect(buildCacheReference([`${repo}:src-abc`])).toBe(`${repo}:buildcache`);
        expect(buildCacheReference(["127.0.0.1:5000/team/app:{{inputs.parameters.model-version}}"])).toBe("127.0.0.1:5000/team/app:buildcache");
        expect(() => buildCacheReference([`${repo}:a`, `${registry.host}/other:a`])).toThrow(/one repository/);
        expect(() => buildCacheReference([])).toThrow(/no image/);
        expect(() => buildctlBuildArgs({ contextDir: "/c", dockerfile: "Dockerfile", images: [repo] })).toThrow(/has no tag/);
    });
});

describe("the builder's container", () => {
    it("runs the script as its command and buildctl's arguments as its args", () => {
        expect(container.command).toEqual(["/bin/sh", "-c", imageBuildScript, "image-build"]);
    });

    it("starts as root with SETUID and SETGID only, no escalation, a read-only root and the node's image-builder seccomp profile", () => {
        expect(container.securityContext).toEqual({
            runAsUser: 0,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] },
            readOnlyRootFilesystem: true,
            seccompProfile: { type: "Localhost", localhostProfile: "gourmetgram/image-builder.json" },
        });
        expect(seccompProfiles.imageBuilder).toBe("gourmetgram/image-builder.json");
        expect(container.securityContext).not.toHaveProperty("runAsNonRoot");
    });

    it("names the nodes' AppArmor profile only where the nodes hold it: a kubelet refuses AppArmor on a node without it", () => {
        const onLabNodes = imageBuilderContainer({ ...request, nodeProfiles: { appArmor: true } });
        expect(onLabNodes.securityContext).toEqual({
            ...container.securityContext,
            appArmorProfile: { type: "Localhost", localhostProfile: "gourmetgram-image-builder" },
        });
        expect(appArmorProfiles.imageBuilder).toBe("gourmetgram-image-builder");
        expect(container.securityContext).not.toHaveProperty("appArmorProfile");
        expect(() => new Pod({ metadata: { name: "build" }, spec: { containers: [onLabNodes] } }).validate()).not.toThrow();
    });

    it("writes only to emptyDirs and reads buildkitd.toml from the ConfigMap it is given", () => {
        const volumes = imageBuilderVolumes("some-config");
        const byName = new Map(volumes.map((v) => [v.name, v]));
        const mounts = Object.fromEntries(container.volumeMounts!.map((m) => [m.mountPath, m]));
        for (const dir of ["/var/lib/buildkit", "/run/buildkit", "/run/runc", "/tmp"]) {
            expect(byName.get(mounts[dir].name)?.emptyDir, dir).toEqual({});
            expect(mounts[dir].readOnly, dir).toBeUndefined();
        }
        expect(mounts["/etc/buildkit"].readOnly).toBe(true);
        expect(byName.get(mounts["/etc/buildkit"].name)?.configMap).toEqual({ name: "some-config", items: [{ key: "buildkitd.toml", path: "buildkitd.toml" }] });
        expect(mounts["/workspace/context"]).toEqual({ name: "context", mountPath: "/workspace/context", readOnly: true });
        // Every mount but the caller's context has a volume here, each once.
        expect(container.volumeMounts!.filter((m) => m.name !== "context").map((m) => m.name).sort()).toEqual([...byName.keys()].sort());
    });

    it("logs in to the registry with the namespace's login Secret, as buildctl's docker config, readable by the build's uid", () => {
        const volumes = imageBuilderVolumes("some-config");
        const mount = container.volumeMounts!.find((m) => m.name === "registry-login")!;
        expect(mount.readOnly).toBe(true);
        expect(container.env).toEqual([{ name: "DOCKER_CONFIG", value: mount.mountPath }]);
        expect(volumes.find((v) => v.name === mount.name)!.secret).toEqual({
            secretName: registryCredentials.secretName,
            items: [{ key: ".dockerconfigjson", path: "config.json" }],
            defaultMode: 0o444,
        });
    });

    it("tells buildkitd the in-cluster registry speaks plain HTTP", () => {
        expect(buildkitdConfig(registry.host)).toBe(`[registry."${registry.host}"]\n  http = true\n`);
        const configMap = buildkitdConfigMap("gourmetgram-workflows", registry.host);
        expect(configMap.metadata).toMatchObject({ name: buildkitdConfigMapName, namespace: "gourmetgram-workflows" });
        expect(configMap.data).toEqual({ "buildkitd.toml": buildkitdConfig(registry.host) });
        expect(() => validate(configMap)).not.toThrow();
    });
});

/** The script as `sh -c` runs it, with stand-ins for the three programs it calls. */
describe("the builder's script", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "image-build-script-"));
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
    const bin = path.join(scratch, "bin");
    fs.mkdirSync(bin);
    const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
    // unshare: the command after its options, or the refusal a RuntimeDefault profile gives.
    stub("unshare", [
        // The first line only: the namespace's script follows `-c` on the lines after.
        'echo "unshare $*" | head -n 1 >> "$CALLS"',
        'if [ -n "${UNSHARE_REFUSED:-}" ]; then echo "unshare: unshare failed: Operation not permitted" >&2; exit 1; fi',
        'while [ $# -gt 0 ]; do case "$1" in --) shift; break ;; --*) shift ;; *) break ;; esac; done',
        'exec "$@"',
        "",
    ].join("\n"));
    stub("buildkitd", [
        'echo "buildkitd $*" >> "$CALLS"',
        'if [ -n "${BUILDKITD_FAILS:-}" ]; then echo "buildkitd: no worker found" >&2; exit 1; fi',
        'echo "buildkitd: running server" >&2',
        'touch "$STATE/up"',
        'trap \'rm -f "$STATE/up"; echo "buildkitd stopped" >> "$CALLS"; exit 0\' TERM',
        "while :; do sleep 0.1; done",
        "",
    ].join("\n"));
    stub("buildctl", [
        'if [ "$3 $4" = "debug workers" ]; then [ -f "$STATE/up" ]; exit; fi',
        'echo "buildctl $*" >> "$CALLS"',
        'exit "${BUILDCTL_STATUS:-0}"',
        "",
    ].join("\n"));

    function runScript(name: string, env: Record<string, string> = {}) {
        const dir = path.join(scratch, name);
        fs.mkdirSync(dir);
        const calls = path.join(dir, "calls");
        fs.writeFileSync(calls, "");
        const result = spawnSync("/bin/sh", ["-c", imageBuildScript, "image-build", "--opt=filename=Dockerfile", "--output=type=image,\"name=r:1,r:2\",push=true"], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: calls, STATE: dir, TMPDIR: dir, ...env },
            timeout: 30_000,
        });
        return { ...result, calls: fs.readFileSync(calls, "utf8").trim().split("\n") };
    }

    const namespace = "--user --mount --map-users=100000,0,65536 --map-groups=100000,0,65536 --setuid=0 --setgid=0";

    it("checks the user namespace, then starts buildkitd in it, builds with the arguments it was given and stops buildkitd", () => {
        const run = runScript("success");
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.calls).toEqual([
            // A bare unshare first: util-linux 2.38 hangs when a mapped one is refused.
            "unshare --user true",
            `unshare ${namespace} true`,
            expect.stringMatching(new RegExp(`^unshare ${namespace} -- /bin/sh -c `)),
            "buildkitd --config=/etc/buildkit/buildkitd.toml --oci-worker-no-process-sandbox --addr unix:///run/buildkit/buildkitd.sock",
            'buildctl --addr unix:///run/buildkit/buildkitd.sock build --opt=filename=Dockerfile --output=type=image,"name=r:1,r:2",push=true',
            "buildkitd stopped",
        ]);
    });

    it("exits with buildctl's status and shows buildkitd's log when the build fails", () => {
        const run = runScript("build-fails", { BUILDCTL_STATUS: "3" });
        expect(run.status).toBe(3);
        expect(run.stderr).toContain("image-build: buildctl exited 3; the log of buildkitd follows");
        expect(run.stderr).toContain("buildkitd: running server");
        expect(run.calls.at(-1)).toBe("buildkitd stopped");
    });

    it("fails with buildkitd's log when buildkitd stops before it answers", () => {
        const run = runScript("daemon-fails", { BUILDKITD_FAILS: "1" });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("buildkitd: no worker found");
        expect(run.stderr).toContain("image-build: buildkitd stopped before it answered on unix:///run/buildkit/buildkitd.sock");
        expect(run.calls.filter((c) => c.startsWith("buildctl"))).toEqual([]);
    });

    it(`exits ${noUserNamespaceExitCode} with what the pod needs when the user namespace is refused, before any mapped unshare`, () => {
        const run = runScript("refused", { UNSHARE_REFUSED: "1" });
        expect(run.status).toBe(70);
        expect(run.stderr).toContain("image-build: cannot create the build's user namespace (unshare: unshare failed: Operation not permitted).");
        expect(run.stderr).toContain("uid 0 with the capabilities SETUID and SETGID");
        expect(run.stderr).toContain(`under the seccomp profile ${seccompProfiles.imageBuilder} that the K3s install keeps on every node`);
        expect(run.calls).toEqual(["unshare --user true"]);
    });

    it("passes shellcheck as POSIX sh, both the pod's part and the namespace's", () => {
        const inner = /-- \/bin\/sh -c '([^']*)' image-build "\$@"\n$/.exec(imageBuildScript);
        expect(inner).not.toBeNull();
        for (const [name, text, excluded] of [
            // SC2016: the namespace's script is single-quoted on purpose.
            ["outer.sh", imageBuildScript, "SC2016"],
            ["inner.sh", inner![1], ""],
        ] as const) {
            const file = path.join(scratch, name);
            fs.writeFileSync(file, `#!/bin/sh\n${text}`);
            const result = spawnSync("shellcheck", ["--shell=sh", ...(excluded ? ["--exclude", excluded] : []), file], { encoding: "utf8" });
            expect(result.error).toBeUndefined();
            expect(result.stdout + result.stderr, name).toBe("");
            expect(result.status, name).toBe(0);
        }
    });
});

/** The builder's security context in every ImageBuild Job the program registers for a stack. */
describe("the image builds of each stack", () => {
    const builderContexts = (run: ProgramRun) =>
        run.resources
            .filter((r) => r.type === "kubernetes:batch/v1:Job")
            .flatMap((r) => (r.inputs.spec.template.spec.containers as { name: string; securityContext: object }[]).filter((c) => c.name === "image-build"))
            .map((c) => c.securityContext);
    const runs: Record<string, ProgramRun> = {};
    beforeAll(async () => {
        runs.chameleon = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"));
        runs.ubuntu2204 = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"), { "gourmetgram:image": "CC-Ubuntu22.04" });
        runs.local = await runProgram(path.join(stacksDir, "Pulumi.local.yaml"));
    });

    it("name the nodes' AppArmor profile on Chameleon's Ubuntu 24.04 nodes, which the K3s install loaded it on", () => {
        const contexts = builderContexts(runs.chameleon);
        // MLflow's server, the gate and the training images.
        expect(contexts.length).toBeGreaterThanOrEqual(3);
        for (const context of contexts) expect(context).toMatchObject({ appArmorProfile: { type: "Localhost", localhostProfile: appArmorProfiles.imageBuilder } });
    });

    it("name none on Ubuntu 22.04, whose AppArmor cannot load it, nor anywhere on an existing cluster such as the local one", () => {
        expect(builderContexts(runs.ubuntu2204).length).toBeGreaterThanOrEqual(3);
        for (const context of builderContexts(runs.ubuntu2204)) expect(context).not.toHaveProperty("appArmorProfile");
        // The local stack builds nothing in the cluster; none of its objects names an AppArmor profile.
        expect(JSON.stringify(runs.local.resources.map((r) => r.inputs))).not.toContain("appArmorProfile");
    });
});
