/**
 * Argo CD as the toolchain builds it (scripts/toolchain/build-argo-cd.sh and images.d/60-argo-cd.sh):
 * the argocd binary reports the pinned release and acts by the name it runs as; its image runs
 * the repo server, healthy down to its own gRPC health check, with the tools the repo server
 * calls; the redis image answers with the password, started with the install manifest's own
 * arguments. Each image runs under runc as its image config says (run-image.ts).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { freeLoopbackPort, runOk, waitUntil } from "../e2e/harness/process";
import { describeWithToolchain } from "../e2e/harness/suite";
import { toolchainRoot } from "../e2e/harness/toolchain";
import { localImageFor } from "./harness/local-images";
import { runImage, type ImageContainer } from "./harness/run-image";

type Obj = Record<string, any>;

/** A file the toolchain must have built, or an error naming the step that builds it. */
function built(file: string, step: string): string {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/toolchain/build.sh ${step}\``);
    return file;
}

/** One image from images.json, or an error naming the step that builds it. */
function image(name: string): { ref: string; archive: string } {
    const images = JSON.parse(fs.readFileSync(built(path.join(toolchainRoot, "images.json"), "images"), "utf8")) as Obj;
    if (!images[name]) throw new Error(`images.json lists no image "${name}": run \`bash scripts/toolchain/build.sh images\``);
    return images[name];
}

/** The container `name` of the Deployment `deployment` in upstream's install.yaml. */
function manifestContainer(deployment: string, name: string): Obj {
    const file = built(path.join(toolchainRoot, "manifests", "argo-cd-install.yaml"), "manifests");
    const objects = parseAllDocuments(fs.readFileSync(file, "utf8")).map((doc) => doc.toJS() as Obj);
    const pod = objects.find((o) => o?.kind === "Deployment" && o.metadata.name === deployment)?.spec.template.spec;
    const container = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].find((c: Obj) => c.name === name);
    if (!container) throw new Error(`${file} has no Deployment ${deployment} with a container ${name}`);
    return container;
}

/** Sends raw RESP commands to a redis on 127.0.0.1:port and returns what it answered once `expected` replies came. */
function redisExchange(port: number, commands: string[], expected: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        let reply = "";
        socket.setTimeout(5_000, () => socket.destroy(new Error(`redis on ${port} answered only ${JSON.stringify(reply)}`)));
        socket.on("data", (chunk) => {
            reply += chunk.toString();
            if (reply.split("\r\n").length > expected) socket.end(() => resolve(reply));
        });
        socket.on("error", reject);
        socket.write(commands.map((c) => `${c}\r\n`).join(""));
    });
}

describeWithToolchain("Argo CD built here: the argocd binary and its images", ["helm"], (tools) => {
    const version = tools.versions.argoCd;
    const argocdBinary = path.join(toolchainRoot, `argo-cd-${version}`, "bin", "argocd");
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-argo-cd-"));
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("argocd version --client reports the pinned release and the gitops-engine it was built with", async () => {
        const out = JSON.parse(await runOk(built(argocdBinary, "argo-cd"), ["version", "--client", "-o", "json"])) as Obj;
        expect(out.client.Version).toBe(`${version}+unknown`);
        expect(out.client.GitTag).toBe(version);
        expect(out.client.ExtraBuildInfo).toMatch(/^gitops-engine@v0\.0\.0-\d{14}-[0-9a-f]{12},ui-placeholder$/);
        expect(out.client.KubectlVersion).toMatch(/^v0\.\d+\.\d+$/);
    });

    it("run through a link named argocd-repo-server, it is the repo server", async () => {
        const link = path.join(scratch, "argocd-repo-server");
        fs.symlinkSync(built(argocdBinary, "argo-cd"), link);
        const help = await runOk(link, ["--help"]);
        expect(help).toContain("ArgoCD Repository Server is an internal service");
        expect(help).toMatch(/--redis string/);
    });

    describe("the images, run by runc as their configs say", () => {
        const password = "gourmetgram-test";
        let redisPort = 0;
        let redis: ImageContainer | undefined;
        let repoServer: ImageContainer | undefined;
        let repoPort = 0;
        let metricsPort = 0;

        beforeAll(async () => {
            redisPort = await freeLoopbackPort();
            const manifestArgs = (manifestContainer("argocd-redis", "redis").args as string[]).map((a) =>
                a.replace("$(REDIS_PASSWORD)", password),
            );
            redis = await runImage(image("redis").archive, "gg-test-redis", path.join(scratch, "redis"), {
                // The image's entrypoint, then the manifest's args; bound to loopback for the test.
                args: ["/usr/bin/redis-server", ...manifestArgs, "--bind", "127.0.0.1", "--port", String(redisPort)],
            });
            await waitUntil("redis to accept connections", () => redisExchange(redisPort, ["PING"], 1).then(() => true), {
                timeoutMs: 60_000,
                daemon: redis.daemon,
            });

            repoPort = await freeLoopbackPort();
            metricsPort = await freeLoopbackPort();
            const repoContainer = manifestContainer("argocd-repo-server", "argocd-repo-server");
            repoServer = await runImage(image("argocd").archive, "gg-test-repo-server", path.join(scratch, "argocd"), {
                // The image's tini, then the manifest's args (its container runs /usr/local/bin/argocd-repo-server).
                args: [
                    "/usr/bin/tini", "--",
                    ...(repoContainer.args as string[]),
                    "--address", "127.0.0.1", "--port", String(repoPort),
                    "--metrics-address", "127.0.0.1", "--metrics-port", String(metricsPort),
                    "--redis", `127.0.0.1:${redisPort}`,
                ],
                env: [`REDIS_PASSWORD=${password}`],
                // Where the manifest mounts its volumes (emptyDirs, ConfigMaps, Secrets): empty and writable here.
                volumes: (repoContainer.volumeMounts as Obj[]).map((m) => m.mountPath as string),
            });
            await waitUntil("the repo server's health check", () => fetch(`http://127.0.0.1:${metricsPort}/healthz`).then((r) => r.ok), {
                timeoutMs: 120_000,
                daemon: repoServer.daemon,
            });
        }, 600_000);

        afterAll(async () => {
            await repoServer?.stop();
            await redis?.stop();
        }, 60_000);

        it("stand in, through the table of stand-ins, for the images the install manifest names", () => {
            expect(localImageFor(manifestContainer("argocd-redis", "redis").image).local).toBe("redis");
            for (const [deployment, container] of [["argocd-server", "argocd-server"], ["argocd-repo-server", "argocd-repo-server"], ["argocd-redis", "secret-init"]]) {
                expect(localImageFor(manifestContainer(deployment, container).image).local).toBe("argocd");
            }
        });

        it("redis asks for the password and answers PING once given it", async () => {
            expect(await redisExchange(redisPort, ["PING"], 1)).toMatch(/^-NOAUTH/);
            expect(await redisExchange(redisPort, [`AUTH ${password}`, "PING"], 2)).toBe("+OK\r\n+PONG\r\n");
            expect(await redisExchange(redisPort, [`AUTH ${password}`, "CONFIG GET appendonly"], 2)).toContain("no");
        });

        it("the repo server serves its gRPC health check (full=true connects to itself)", async () => {
            const response = await fetch(`http://127.0.0.1:${metricsPort}/healthz?full=true`);
            expect(response.status, await response.text()).toBe(200);
        });

        it("runs as uid 999 (argocd) with every component's link, git, gpg, ssh and the bundled helm", async () => {
            const exec = (args: string[]) => repoServer!.exec(args);
            expect((await exec(["id"])).trim()).toBe("uid=999(argocd) gid=999(argocd) groups=999(argocd)");
            const links = await exec(["ls", "-l", "/usr/local/bin"]);
            for (const component of ["argocd-server", "argocd-repo-server", "argocd-application-controller", "argocd-applicationset-controller", "argocd-notifications", "argocd-cmp-server", "argocd-commit-server"]) {
                expect(links).toContain(`${component} -> /usr/local/bin/argocd`);
            }
            expect(await exec(["git", "version"])).toMatch(/^git version 2\./);
            expect(await exec(["gpg", "--version"])).toMatch(/^gpg \(GnuPG\) 2\./);
            expect(await exec(["sh", "-c", "ssh -V 2>&1"])).toMatch(/^OpenSSH_9/);
            const helm = (await exec(["helm", "version", "--template", "{{.Version}}"])).trim();
            expect(helm).toBe((await runOk(tools.helm, ["version", "--template", "{{.Version}}"])).trim());
            expect(fs.readlinkSync(path.join(scratch, "argocd", "bundle", "rootfs", "etc", "ssh", "ssh_known_hosts"))).toBe(
                "/app/config/ssh/ssh_known_hosts",
            );
        });
    });
});
