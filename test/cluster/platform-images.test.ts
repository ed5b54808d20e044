/**
 * The platform's images as built here (scripts/toolchain/images.d/20-platform.sh), each run the
 * way the program's pods run it, with the program's own commands, scripts and environment:
 * Postgres initialises from POSTGRES_PASSWORD_FILE and the MLflow pod's init container creates
 * the auth database through it; the registry keeps a pushed image and serves it back; MinIO
 * answers its health checks and the bucket Job's script sets up the bucket and MLflow's user;
 * the MLflow server starts with the program's arguments on that Postgres and MinIO, answers
 * /health and stores an artifact. Every service listens on loopback only. The checks run in
 * order: MLflow's stands on the Postgres and MinIO the checks before it started.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freeLoopbackPort, run, runOk, waitUntil } from "../e2e/harness/process";
import { createAuthDatabaseContainer, basicAuthIni, createUsersScript, mlflowAuth } from "../../infra/platform/mlflow/auth";
import { mlflowServerArgs } from "../../infra/platform/mlflow/manifests";
import { awsCredentialsFile, createBucketJob, minioConfigEnv, minioManifests, minioMlflowUser } from "../../infra/platform/minio/manifests";
import { postgresManifests, postgresUser } from "../../infra/platform/postgres/manifests";
import { htpasswdFile } from "../../infra/platform/registry/login";
import { registryAuth, registryManifests } from "../../infra/platform/registry/manifests";
import { minio, postgres, registryCredentials } from "../../vocabulary/names";
import { platformImages } from "../../vocabulary/versions";
import { type ImageRunner, startImageRunner } from "./harness/image-runner";
import { registryAuthHeaders, skopeoDestCreds } from "./harness/registry-images";
import { localImageFor, mlflowServerBuild } from "./harness/local-images";
import { describeWithCluster } from "./harness/suite";
import type { ClusterImage, ClusterToolchain } from "./harness/tools";

type EnvVar = { name: string; value?: string };
type Container = { command?: string[]; args?: string[]; env?: EnvVar[] };

/** The literal env of a rendered container (values from Secrets are set by each check). */
function literalEnv(container: Container): Record<string, string> {
    return Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

/** A directory a container's uid may write, as the pods' volumes are. */
function writableDir(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    return dir;
}

/** Files of one Secret volume, as the kubelet mounts them. */
function secretDir(dir: string, files: Record<string, string>): string {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content, { mode: 0o644 });
    return dir;
}

async function answers(url: string, init?: RequestInit): Promise<number> {
    try {
        return (await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) })).status;
    } catch {
        return 0;
    }
}

describeWithCluster("the platform's images, built here, run as the program runs them", (tools: ClusterToolchain) => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-platform-images-"));
    let runner: ImageRunner;
    const image = (reference: string): ClusterImage => {
        const local = localImageFor(reference).local;
        const built = (tools.images as unknown as Record<string, ClusterImage | undefined>)[local];
        if (!built) throw new Error(`images.json has no image ${local} (for ${reference}): run scripts/toolchain/build.sh images`);
        return built;
    };
    const postgresPassword = "pg-Check-Passw0rd";
    const minioRoot = { user: "check-admin", password: "minio-Check-Passw0rd" };
    const minioMlflowKey = "mlflow-Check-Secret-Key";
    const ports = { postgres: 0, minio: 0, minioConsole: 0, registry: 0, mlflow: 0 };

    /** Waits for a started container's service; a timeout carries what the container wrote. */
    async function serviceUp(id: string, what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
        try {
            await waitUntil(what, check, { timeoutMs });
        } catch (error) {
            throw new Error(`${(error as Error).message}\n${id} wrote:\n${runner.logs(id).split("\n").slice(-40).join("\n")}`, { cause: error });
        }
    }

    beforeAll(async () => {
        for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freeLoopbackPort();
        runner = await startImageRunner(tools, path.join(scratch, "runner"));
    }, 180_000);
    afterAll(async () => {
        await runner?.stop();
        fs.rmSync(scratch, { recursive: true, force: true });
    }, 120_000);

    it("each image declares the product reference its table row maps", async () => {
        const images = tools.images as unknown as Record<string, ClusterImage & { standsInFor?: string }>;
        for (const reference of [platformImages.postgres, platformImages.registry, platformImages.minio, platformImages.minioClient]) {
            expect(images[localImageFor(reference).local]?.standsInFor).toBe(reference);
        }
        expect(images[localImageFor(mlflowServerBuild).local]).toBeDefined();
        const config = await runner.config(image(platformImages.postgres));
        expect(config.user).toBe("70:70");
        expect(config.labels["org.gourmetgram.debian-packages"]).toMatch(/(^| )postgresql-15=15\.\d+/);
    }, 60_000);

    it("Postgres initialises from POSTGRES_PASSWORD_FILE, and the MLflow pod's init container creates the auth database", async () => {
        const rendered = postgresManifests({ storageSize: "1Gi", storageClassName: "local-path" }).deployment.spec!.template.spec!.containers[0] as Container & {
            volumeMounts: { name: string; mountPath: string }[];
        };
        const env = literalEnv(rendered);
        const mountOf = (name: string) => rendered.volumeMounts.find((m) => m.name === name)!.mountPath;
        const credentials = secretDir(path.join(scratch, "pg-credentials"), { password: postgresPassword, username: env.POSTGRES_USER });
        await runner.start("postgres", image(platformImages.postgres), {
            // Loopback and a free port instead of 5432 on every address: the machine's own network.
            args: ["postgres", "-c", "listen_addresses=127.0.0.1", "-p", String(ports.postgres)],
            env,
            mounts: {
                [writableDir(path.join(scratch, "pg-data"))]: mountOf("data"),
                [credentials]: mountOf("credentials"),
                [writableDir(path.join(scratch, "pg-run"))]: mountOf("run"),
                [writableDir(path.join(scratch, "pg-tmp"))]: mountOf("tmp"),
            },
            readOnlyMounts: [mountOf("credentials")],
        });
        const isReady = ["pg_isready", "-h", "127.0.0.1", "-p", String(ports.postgres), "-U", env.POSTGRES_USER, "-d", env.POSTGRES_DB];
        await serviceUp("postgres", "Postgres to accept connections", async () => (await runner.exec("postgres", isReady)).code === 0, 120_000);
        expect(runner.logs("postgres")).toContain(`initialised ${env.PGDATA}`);
        expect(runner.logs("postgres")).not.toContain(postgresPassword);

        const login = (password: string) =>
            runner.exec("postgres", ["psql", "-h", "127.0.0.1", "-p", String(ports.postgres), "-U", env.POSTGRES_USER, "-d", env.POSTGRES_DB, "-tAc", "SELECT current_user"], {
                PGPASSWORD: password,
            });
        expect(await login(postgresPassword)).toEqual({ code: 0, output: `${env.POSTGRES_USER}\n` });
        expect((await login("not-the-password")).output).toMatch(/password authentication failed/);

        const init = createAuthDatabaseContainer() as Container;
        const initRun = () =>
            runner.runOnce(`create-auth-database-${Date.now()}`, image(platformImages.postgres), {
                command: init.command,
                env: { ...literalEnv(init), PGHOST: "127.0.0.1", PGPORT: String(ports.postgres), PGUSER: env.POSTGRES_USER, PGPASSWORD: postgresPassword },
            });
        const first = await initRun();
        expect(first.code, first.output).toBe(0);
        const again = await initRun();
        expect(again).toEqual({ code: 0, output: expect.stringContaining(`database ${mlflowAuth.database} exists`) });
    }, 300_000);

    it("the registry wants its login: a push and a read with it work, without it they get 401", async () => {
        const rendered = registryManifests({ storageSize: "1Gi", storageClassName: "local-path" }).deployment.spec!.template.spec!.containers[0] as Container;
        const env = literalEnv(rendered);
        const login = { username: registryCredentials.username, password: "Registry-Check-Passw0rd" };
        const authDir = secretDir(path.join(scratch, "registry-auth"), { [registryAuth.key]: htpasswdFile(login.username, bcrypt.hashSync(login.password, 10)) });
        await runner.start("registry", image(platformImages.registry), {
            env: { ...env, REGISTRY_HTTP_ADDR: `127.0.0.1:${ports.registry}` },
            mounts: { [writableDir(path.join(scratch, "registry-data"))]: env.REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY, [authDir]: registryAuth.dir },
            readOnlyMounts: [registryAuth.dir],
        });
        const base = `127.0.0.1:${ports.registry}`;
        // `/` is what the probes ask, and the one path open without the login.
        await serviceUp("registry", "the registry to answer /", async () => (await answers(`http://${base}/`)) === 200, 60_000);
        expect(await answers(`http://${base}/v2/`)).toBe(401);
        expect(await answers(`http://${base}/v2/`, { headers: registryAuthHeaders(login) })).toBe(200);
        expect(await answers(`http://${base}/v2/`, { headers: registryAuthHeaders({ ...login, password: "not-the-password" }) })).toBe(401);

        const pushed = tools.images.busybox;
        const reference = `docker://${base}/check/busybox:pushed`;
        const anonymous = await run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `docker-archive:${pushed.archive}`, reference], { timeoutMs: 120_000 });
        expect(anonymous.code, anonymous.stdout).not.toBe(0);
        expect(anonymous.stderr).toMatch(/401|unauthorized|authentication required/i);
        await runOk("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...skopeoDestCreds(login), `docker-archive:${pushed.archive}`, reference], { timeoutMs: 120_000 });
        const served = (await runOk("skopeo", ["inspect", "--format", "{{.Digest}}", "--tls-verify=false", "--creds", `${login.username}:${login.password}`, reference])).trim();
        expect(served).toMatch(/^sha256:[0-9a-f]{64}$/);
        const back = path.join(scratch, "pulled");
        await runOk("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--src-creds", `${login.username}:${login.password}`, reference, `oci:${back}:pulled`], { timeoutMs: 120_000 });
        expect(fs.readdirSync(path.join(back, "blobs", "sha256")).length).toBeGreaterThanOrEqual(3);
        expect(runner.logs("registry")).not.toContain(login.password);
    }, 300_000);

    it("MinIO answers its health checks and the bucket Job's script sets up the bucket and MLflow's user", async () => {
        const manifests = minioManifests({ storageSize: "1Gi", storageClassName: "local-path" });
        const rendered = manifests.deployment.spec!.template.spec!.containers[0] as Container & { args: string[] };
        const configDir = secretDir(path.join(scratch, "minio-config"), { "config.env": minioConfigEnv(minioRoot.user, minioRoot.password) });
        const args = rendered.args.map((arg) =>
            arg === `:${minio.apiPort}` ? `127.0.0.1:${ports.minio}` : arg === `:${minio.consolePort}` ? `127.0.0.1:${ports.minioConsole}` : arg,
        );
        await runner.start("minio", image(platformImages.minio), {
            args,
            env: literalEnv(rendered),
            mounts: { [writableDir(path.join(scratch, "minio-data"))]: "/data", [configDir]: "/etc/minio", [writableDir(path.join(scratch, "minio-tmp"))]: "/tmp" },
            readOnlyMounts: ["/etc/minio"],
        });
        const api = `http://127.0.0.1:${ports.minio}`;
        await serviceUp("minio", "MinIO to be ready", async () => (await answers(`${api}/minio/health/ready`)) === 200, 120_000);
        expect(await answers(`${api}/minio/health/live`)).toBe(200);

        const job = createBucketJob(minio.artifactsBucket).spec!.template.spec!;
        const mc = job.containers[0] as Container;
        const clusterHost = minio.url.replace(/^http:\/\//, "");
        // The Job's own script; only MinIO's address is this machine's instead of the cluster's.
        const script = mc.command![2].replaceAll(clusterHost, `127.0.0.1:${ports.minio}`);
        const setup = () =>
            runner.runOnce(`mc-${Date.now()}`, image(platformImages.minioClient), {
                command: [mc.command![0], mc.command![1], script],
                env: literalEnv(mc),
                mounts: {
                    [secretDir(path.join(scratch, "mc-root"), { rootUser: minioRoot.user, rootPassword: minioRoot.password })]: "/etc/minio-root",
                    [secretDir(path.join(scratch, "mc-mlflow"), { secretKey: minioMlflowKey })]: "/etc/minio-mlflow",
                    [writableDir(path.join(scratch, "mc-tmp"))]: "/tmp",
                },
                readOnlyMounts: ["/etc/minio-root", "/etc/minio-mlflow"],
            });
        const first = await setup();
        expect(first.code, first.output).toBe(0);
        expect(first.output).toContain(`bucket ${minio.artifactsBucket} and user ${minioMlflowUser}`);
        const again = await setup();
        expect(again.code, again.output).toBe(0);
    }, 300_000);

    it("the MLflow server starts with the program's arguments on that Postgres and MinIO, answers /health and stores an artifact", async () => {
        const address = `127.0.0.1:${ports.mlflow}`;
        const args = mlflowServerArgs({ extraAllowedHosts: [address] }).map((arg) =>
            arg === "--host=0.0.0.0" ? "--host=127.0.0.1" : arg.startsWith("--port=") ? `--port=${ports.mlflow}` : arg,
        );
        const uri = (database: string) => `postgresql://${postgresUser}:${postgresPassword}@127.0.0.1:${ports.postgres}/${database}`;
        const adminPassword = "Mlflow-Admin-Check-1";
        const authDir = secretDir(path.join(scratch, "mlflow-auth"), {
            [mlflowAuth.configFile]: basicAuthIni({ databaseUri: uri(mlflowAuth.database), adminPassword }),
        });
        const s3Dir = secretDir(path.join(scratch, "mlflow-s3"), { credentials: awsCredentialsFile(minioMlflowUser, minioMlflowKey) });
        await runner.start("mlflow", image(mlflowServerBuild), {
            args,
            env: {
                MLFLOW_BACKEND_STORE_URI: uri(postgres.database),
                MLFLOW_AUTH_CONFIG_PATH: `${mlflowAuth.configDir}/${mlflowAuth.configFile}`,
                MLFLOW_FLASK_SERVER_SECRET_KEY: "flask-check-secret-key-0123456789",
                AWS_SHARED_CREDENTIALS_FILE: "/etc/mlflow-s3/credentials",
                MLFLOW_S3_ENDPOINT_URL: `http://127.0.0.1:${ports.minio}`,
                HOME: "/tmp",
                TMPDIR: "/tmp",
            },
            mounts: { [authDir]: mlflowAuth.configDir, [s3Dir]: "/etc/mlflow-s3", [writableDir(path.join(scratch, "mlflow-tmp"))]: "/tmp" },
            readOnlyMounts: [mlflowAuth.configDir, "/etc/mlflow-s3"],
        });
        const base = `http://${address}`;
        await serviceUp("mlflow", "MLflow to answer /health", async () => (await answers(`${base}/health`)) === 200, 240_000);
        const admin = { Authorization: `Basic ${Buffer.from(`${mlflowAuth.adminUsername}:${adminPassword}`).toString("base64")}` };
        expect(await answers(`${base}/api/2.0/mlflow/experiments/search?max_results=1`)).toBe(401);

        const artifact = `check/${Date.now()}/note.txt`;
        const put = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { method: "PUT", body: "stored in MinIO", headers: admin });
        expect(put.status, await put.text()).toBe(200);
        const got = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { headers: admin });
        expect(await got.text()).toBe("stored in MinIO");

        // The users Job's script runs on this image too (python, stdlib only).
        const pipelineDir = secretDir(path.join(scratch, "mlflow-pipeline"), { username: "pipeline-check", password: "Pipeline-Check-Passw0rd" });
        const adminDir = secretDir(path.join(scratch, "mlflow-admin"), { username: mlflowAuth.adminUsername, password: adminPassword });
        const users = await runner.runOnce(`create-users-${Date.now()}`, image(mlflowServerBuild), {
            command: ["python", "-c", createUsersScript],
            env: { MLFLOW_URL: base, ADMIN_DIR: "/etc/mlflow-admin", PIPELINE_DIR: "/etc/mlflow-pipeline", HOME: "/tmp" },
            mounts: { [adminDir]: "/etc/mlflow-admin", [pipelineDir]: "/etc/mlflow-pipeline" },
            readOnlyMounts: ["/etc/mlflow-admin", "/etc/mlflow-pipeline"],
        });
        expect(users.code, users.output).toBe(0);
        expect(users.output).toContain("created MLflow user pipeline-check");
    }, 480_000);
});
