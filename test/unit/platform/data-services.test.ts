import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { minio, mlflow, namespaces, postgres, registryCredentials } from "../../../vocabulary/names";
import { mlflowVersion, platformImages } from "../../../vocabulary/versions";
import {
    awsCredentialsFile,
    bucketPolicy,
    createBucketJob,
    minioConfigEnv,
    minioManifests,
    minioMlflowPolicy,
    minioMlflowSecret,
    minioMlflowUser,
    minioSecret,
} from "../../../infra/platform/minio/manifests";
import { clusterAllowedHosts, mlflowDeployment, mlflowServerArgs, mlflowServerWorkers, mlflowService } from "../../../infra/platform/mlflow/manifests";
import { basicAuthIni, createUsersJob, createUsersScript, mlflowAuth, mlflowServerSecret, postgresUri } from "../../../infra/platform/mlflow/auth";
import { postgresManifests } from "../../../infra/platform/postgres/manifests";
import { containerImages, contentTaggedImage, installMocks, mockPassword, ofType, pinnedImage, plainStrings, secretValues, settled } from "./harness";
import { validate } from "./schema";

const storage = { storageSize: "5Gi", storageClassName: "local-path" };

describe("data service manifests", () => {
    const pg = postgresManifests(storage);
    const mo = minioManifests(storage);
    const objects = {
        ...pg,
        "minio-volumeClaim": mo.volumeClaim,
        "minio-deployment": mo.deployment,
        "minio-service": mo.service,
        "minio-consoleService": mo.consoleService,
        bucketJob: createBucketJob(minio.artifactsBucket),
        mlflowDeployment: mlflowDeployment({ image: "registry.kube-system.svc.cluster.local:5000/mlflow-server:src-0123456789abcdef01234567" }),
        mlflowService: mlflowService(),
    };

    it("validate against their schemas and live in gourmetgram-platform", () => {
        for (const [name, object] of Object.entries(objects)) {
            expect(() => validate(object), name).not.toThrow();
            expect(object.metadata!.namespace, name).toBe(namespaces.platform);
        }
    });

    it("give every container requests and limits for CPU and memory", () => {
        for (const object of [objects.deployment, objects["minio-deployment"], objects.bucketJob, objects.mlflowDeployment]) {
            for (const c of object.spec!.template.spec!.containers) {
                expect(Object.keys(c.resources!.limits!).sort(), c.name).toEqual(["cpu", "memory"]);
                expect(Object.keys(c.resources!.requests!).sort(), c.name).toEqual(["cpu", "memory"]);
            }
        }
    });

    it("probe every long-running container", () => {
        for (const object of [objects.deployment, objects["minio-deployment"], objects.mlflowDeployment]) {
            const c = object.spec!.template.spec!.containers[0];
            expect(c.readinessProbe, c.name).toBeDefined();
            expect(c.livenessProbe, c.name).toBeDefined();
        }
    });

    it("read every credential from a Secret (as a file where the software takes one), never from a literal env value", () => {
        const pods = [objects.deployment, objects["minio-deployment"], objects.bucketJob, objects.mlflowDeployment].map((o) => o.spec!.template.spec!);
        const env = pods.flatMap((p) => [...p.containers, ...(p.initContainers ?? [])].flatMap((c) => c.env ?? []));
        for (const e of env.filter((e) => /PASSWORD|SECRET|ACCESS_KEY|TOKEN|STORE_URI/.test(e.name) && !e.name.endsWith("_FILE"))) {
            expect(e.value, e.name).toBeUndefined();
            expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
        }
        // Postgres and MinIO read their logins from files; MLflow its S3 login.
        const names = env.map((e) => e.name);
        expect(names).toEqual(expect.arrayContaining(["POSTGRES_PASSWORD_FILE", "MINIO_CONFIG_ENV_FILE", "AWS_SHARED_CREDENTIALS_FILE"]));
        expect(names).not.toEqual(expect.arrayContaining(["POSTGRES_PASSWORD"]));
        expect(names.filter((n) => /^(MINIO_ROOT_|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)/.test(n))).toEqual([]);
    });

    it("give MLflow a MinIO user of its own, allowed only the artifacts bucket", () => {
        const script = objects.bucketJob.spec!.template.spec!.containers[0].command!.join(" ");
        expect(script).toContain(`mc admin user add platform ${minioMlflowUser} "$(cat /etc/minio-mlflow/secretKey)"`);
        expect(script).toContain(`mc admin policy attach platform ${minioMlflowPolicy} --user ${minioMlflowUser}`);
        expect(bucketPolicy(minio.artifactsBucket)).toEqual({
            Version: "2012-10-17",
            Statement: [
                expect.objectContaining({ Resource: [`arn:aws:s3:::${minio.artifactsBucket}`] }),
                expect.objectContaining({ Resource: [`arn:aws:s3:::${minio.artifactsBucket}/*`] }),
            ],
        });
        expect(JSON.stringify(bucketPolicy(minio.artifactsBucket))).not.toMatch(/"\*"|s3:\*|admin:/);
        const mlflowPod = objects.mlflowDeployment.spec!.template.spec!;
        expect(mlflowPod.volumes!.find((v) => v.name === "s3-credentials")!.secret!.secretName).toBe(minioMlflowSecret.name);
        expect(JSON.stringify(mlflowPod)).not.toContain(minioSecret.name);
        expect(awsCredentialsFile("mlflow", "k3y")).toBe("[default]\naws_access_key_id = mlflow\naws_secret_access_key = k3y\n");
        expect(minioConfigEnv("root", "pw")).toBe("MINIO_ROOT_USER=root\nMINIO_ROOT_PASSWORD=pw\n");
    });

    it("publish the services the pipeline addresses by name and port", () => {
        expect(objects.service.metadata!.name).toBe(postgres.serviceName);
        expect(objects.service.spec!.ports![0].port).toBe(5432);
        expect(objects["minio-service"].spec!.ports!.map((p) => p.port)).toEqual([9000, 9001]);
        expect(objects.mlflowService.metadata!.name).toBe("mlflow");
        expect(objects.mlflowService.spec!.ports).toEqual([{ name: "http", port: 8000, targetPort: 8000 }]);
        // The S3 API is not published; only the console is.
        expect(objects["minio-consoleService"].spec!.ports!.map((p) => p.targetPort)).toEqual([minio.consolePort]);
    });

    it("create the artifacts bucket idempotently and give up after a bounded wait", () => {
        const script = objects.bucketJob.spec!.template.spec!.containers[0].command!.join(" ");
        expect(script).toContain(`mc mb --ignore-existing "platform/${minio.artifactsBucket}"`);
        expect(script).toMatch(/seq 1 30/);
        expect(objects.bucketJob.spec!.backoffLimit).toBeGreaterThan(0);
        // The script is valid sh (the policy JSON sits in a quoted here-document).
        execFileSync("sh", ["-n", "-c", objects.bucketJob.spec!.template.spec!.containers[0].command![2]]);
    });
});

describe("MLflow server arguments", () => {
    const args = mlflowServerArgs({ extraAllowedHosts: ["203.0.113.7:8000"], corsAllowedOrigins: ["http://203.0.113.7:8000"] });

    it("proxy artifacts to the MinIO bucket so clients need no S3 credentials", () => {
        expect(args).toContain("--serve-artifacts");
        expect(args).toContain(`--artifacts-destination=s3://${minio.artifactsBucket}`);
        expect(args).toContain("--default-artifact-root=mlflow-artifacts:/");
    });

    it("start a fixed, small number of workers, so the server fits its memory limit (MLflow's default is 4)", () => {
        expect(args).toContain(`--workers=${mlflowServerWorkers}`);
        expect(mlflowServerWorkers).toBeLessThan(4);
    });

    it("run no background job runner (GenAI jobs the lab never submits, about 1.7 GiB of queue consumers)", () => {
        const container = mlflowDeployment({ image: "registry.kube-system.svc.cluster.local:5000/mlflow-server:src-0123456789abcdef01234567" }).spec!.template.spec!.containers[0];
        expect(container.env).toContainEqual({ name: "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", value: "false" });
    });

    it("run the basic-auth app and put no database URI or credential on the command line", () => {
        expect(args).toContain("--app-name=basic-auth");
        expect(args.filter((a) => /backend-store-uri|postgresql|PASSWORD|\$\(/.test(a))).toEqual([]);
    });

    it("take the database URI from a Secret through the environment and the auth settings from a mounted file", () => {
        const deployment = mlflowDeployment({ image: "registry.kube-system.svc.cluster.local:5000/mlflow-server:src-0123456789abcdef01234567" });
        const pod = deployment.spec!.template.spec!;
        const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e]));
        expect(env.MLFLOW_BACKEND_STORE_URI.valueFrom?.secretKeyRef).toEqual({ name: mlflowServerSecret.name, key: mlflowServerSecret.backendStoreUriKey });
        expect(env.MLFLOW_FLASK_SERVER_SECRET_KEY.valueFrom?.secretKeyRef).toEqual({ name: mlflowServerSecret.name, key: mlflowServerSecret.flaskSecretKeyKey });
        expect(env.MLFLOW_AUTH_CONFIG_PATH.value).toBe(`${mlflowAuth.configDir}/${mlflowAuth.configFile}`);
        const mount = pod.containers[0].volumeMounts!.find((m) => m.mountPath === mlflowAuth.configDir)!;
        expect(mount.readOnly).toBe(true);
        expect(pod.volumes!.find((v) => v.name === mount.name)!.secret).toEqual({
            secretName: mlflowServerSecret.name,
            items: [{ key: mlflowServerSecret.authConfigKey, path: mlflowAuth.configFile }],
        });
        // The auth database exists before the server starts; psql logs in from Secret-backed variables.
        const init = pod.initContainers![0];
        expect(init.command!.join(" ")).toContain(`CREATE DATABASE ${mlflowAuth.database}`);
        expect(init.env!.find((e) => e.name === "PGPASSWORD")!.valueFrom?.secretKeyRef?.name).toBe("postgres-credentials");
    });

    it("accept the Host headers pods and browsers send (MLflow 3 rejects others with 403)", () => {
        const hosts = args.find((a) => a.startsWith("--allowed-hosts="))!.slice("--allowed-hosts=".length).split(",");
        expect(hosts).toContain(new URL(mlflow.url).host);
        expect(hosts).toContain("203.0.113.7:8000");
        expect(clusterAllowedHosts()).toContain("mlflow:8000");
        expect(args).toContain("--cors-allowed-origins=http://203.0.113.7:8000");
    });

    it("pin the same MLflow version in the server image as vocabulary/versions.ts", () => {
        const dockerfile = fs.readFileSync(path.join(__dirname, "../../../infra/platform/mlflow/image/Dockerfile"), "utf8");
        expect(dockerfile).toContain(`mlflow==${mlflowVersion} `);
        expect(dockerfile).toMatch(/psycopg2-binary==\d/);
        expect(dockerfile).toMatch(/boto3==\d/);
        expect(dockerfile).toMatch(/^FROM \S+:\S+@sha256:[0-9a-f]{64}$/m);
        expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT).*pip/m);
    });

    it("pull the image it built from the registry with the registry's login, and a prebuilt one without", () => {
        const built = "registry.kube-system.svc.cluster.local:5000/mlflow-server:src-0123456789abcdef01234567";
        const login = [{ name: registryCredentials.secretName }];
        expect(mlflowDeployment({ image: built }).spec!.template.spec!.imagePullSecrets).toEqual(login);
        expect(createUsersJob(built).spec!.template.spec!.imagePullSecrets).toEqual(login);
        const prebuilt = platformImages.postgres;
        expect(mlflowDeployment({ image: prebuilt }).spec!.template.spec).not.toHaveProperty("imagePullSecrets");
        expect(createUsersJob(prebuilt).spec!.template.spec).not.toHaveProperty("imagePullSecrets");
    });

    it("name in the database URIs the Postgres driver the server image installs (psycopg2), whatever SQLAlchemy's default", () => {
        const dockerfile = fs.readFileSync(path.join(__dirname, "../../../infra/platform/mlflow/image/Dockerfile"), "utf8");
        const uri = postgresUri("mlflow", "pw", postgres.database);
        expect(uri).toMatch(/^postgresql\+psycopg2:\/\//);
        expect(dockerfile).toMatch(/psycopg2-binary==\d/);
        expect(dockerfile).not.toMatch(/\bpsycopg(\[|==)/);
    });
});

describe("Postgres, MinIO and MLflow components", () => {
    it("keep generated passwords secret in every registered input, and pin every image", async () => {
        const registered = installMocks();
        const { Postgres } = await import("../../../infra/platform/postgres/index.js");
        const { Minio } = await import("../../../infra/platform/minio/index.js");
        const { Mlflow } = await import("../../../infra/platform/mlflow/index.js");
        const pg = new Postgres("postgres", storage);
        new Minio("minio", { ...storage, buckets: [minio.artifactsBucket] });
        new Mlflow("mlflow", { imageBuildsEnabled: true, publicAddress: "203.0.113.7", postgresPassword: pg.password });
        await settled(registered);

        const passwords = ofType(registered, "pulumi-nodejs:dynamic/gourmetgram:GeneratedPassword");
        expect(passwords.map((p) => p.name).sort()).toEqual([
            "minio-mlflow-secret-key",
            "minio-root-password",
            "mlflow-admin-password",
            "mlflow-flask-secret-key",
            "mlflow-pipeline-password",
            "postgres-password",
        ]);
        const secretsInClear = registered.flatMap((r) =>
            plainStrings(r.inputs)
                .filter((s) => passwords.some((p) => s.value.includes(mockPassword(p.name))))
                .map((s) => `${r.type} ${r.name} ${s.path}`),
        );
        expect(secretsInClear).toEqual([]);

        const secrets = ofType(registered, "kubernetes:core/v1:Secret");
        expect(secrets.map((s) => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`).sort()).toEqual([
            "gourmetgram-platform/minio-credentials",
            "gourmetgram-platform/minio-mlflow-credentials",
            "gourmetgram-platform/mlflow-admin-credentials",
            "gourmetgram-platform/mlflow-pipeline-credentials",
            "gourmetgram-platform/mlflow-server",
            "gourmetgram-platform/postgres-credentials",
            "gourmetgram-workflows/mlflow-pipeline-credentials",
        ]);
        for (const secret of secrets) {
            const hidden = JSON.stringify(secretValues(secret.inputs.stringData));
            expect(hidden).toMatch(/MockPw/);
        }
        expect(ofType(registered, "kubernetes:core/v1:ConfigMap").every((c) => !JSON.stringify(c.inputs).includes("MockPw"))).toBe(true);

        const workloads = registered.filter((r) => /:(Deployment|Job)$/.test(r.type));
        expect(workloads.length).toBeGreaterThanOrEqual(5);
        for (const w of workloads) {
            for (const image of containerImages(w.inputs)) {
                expect(pinnedImage.test(image) || contentTaggedImage.test(image), `${w.name}: ${image}`).toBe(true);
            }
        }
        const mlflowDeploy = workloads.find((w) => w.name === "mlflow")!;
        expect(containerImages(mlflowDeploy.inputs)[0]).toMatch(/\/mlflow-server:src-[0-9a-f]{24}$/);
        expect(ofType(registered, "kubernetes:batch/v1:Job").map((j) => j.inputs.metadata.name).sort()).toEqual([
            expect.stringMatching(/^build-mlflow-server-[0-9a-f]{12}$/),
            `minio-create-bucket-${minio.artifactsBucket}`,
            "mlflow-create-users",
        ]);

        // The server's Secret carries both database URIs and the admin password, all from the generated values.
        const server = secrets.find((s) => s.inputs.metadata.name === mlflowServerSecret.name)!;
        const [values] = secretValues(server.inputs.stringData) as Array<Record<string, string>>;
        const dbPassword = mockPassword("postgres-password");
        expect(values[mlflowServerSecret.backendStoreUriKey]).toBe(postgresUri("mlflow", dbPassword, postgres.database));
        expect(values[mlflowServerSecret.authConfigKey]).toContain(`database_uri = ${postgresUri("mlflow", dbPassword, mlflowAuth.database)}`);
        expect(values[mlflowServerSecret.authConfigKey]).toContain(`admin_password = ${mockPassword("mlflow-admin-password")}`);
        expect(values[mlflowServerSecret.flaskSecretKeyKey]).toBe(mockPassword("mlflow-flask-secret-key"));
    });
});

describe("MLflow basic auth", () => {
    it("writes an INI with the bootstrap admin and the auth database, refusing multi-line values", () => {
        const ini = basicAuthIni({ databaseUri: "postgresql://mlflow:pw@postgres:5432/mlflow_auth", adminPassword: "Secret123" });
        expect(ini.split("\n")).toEqual(
            expect.arrayContaining([
                "[mlflow]",
                "default_permission = READ",
                "database_uri = postgresql://mlflow:pw@postgres:5432/mlflow_auth",
                "admin_username = admin",
                "admin_password = Secret123",
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
            ]),
        );
        expect(() => basicAuthIni({ databaseUri: "x", adminPassword: "a\nadmin_username = evil" })).toThrow(/adminPassword must be one line/);
    });

    it("creates the pipeline's user with a Job that reads both logins from mounted Secrets, never from its spec", () => {
        const job = createUsersJob("registry.kube-system.svc.cluster.local:5000/mlflow-server:src-0123456789abcdef01234567");
        expect(() => validate(job)).not.toThrow();
        const pod = job.spec!.template.spec!;
        expect(pod.volumes!.map((v) => v.secret!.secretName).sort()).toEqual(["mlflow-admin-credentials", "mlflow-pipeline-credentials"]);
        expect(pod.containers[0].env ?? []).toEqual([]);
        expect(createUsersScript).toContain('"users/create"');
        expect(createUsersScript).toContain('"users/update-password"');
        expect(createUsersScript).toContain(mlflow.url);
        expect(job.spec!.activeDeadlineSeconds).toBeGreaterThan(0);
        // The script is Python the server image runs: it must at least compile.
        execFileSync("python3", ["-c", "import sys; compile(sys.stdin.read(), 'create-users', 'exec')"], { input: createUsersScript });
    });
});
