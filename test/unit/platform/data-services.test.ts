import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { minio, mlflow, namespaces, postgres } from "../../../infra/names";
import { mlflowVersion } from "../../../infra/versions";
import { createBucketJob, minioManifests } from "../../../infra/platform/minio/manifests";
import { clusterAllowedHosts, mlflowDeployment, mlflowServerArgs, mlflowService } from "../../../infra/platform/mlflow/manifests";
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

    it("read every credential from a Secret, never from a literal env value", () => {
        const env = [objects.deployment, objects["minio-deployment"], objects.bucketJob, objects.mlflowDeployment].flatMap(
            (o) => o.spec!.template.spec!.containers[0].env ?? [],
        );
        for (const e of env.filter((e) => /PASSWORD|SECRET|USER|ACCESS_KEY/.test(e.name))) {
            expect(e.value, e.name).toBeUndefined();
            expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
        }
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
    });
});

describe("MLflow server arguments", () => {
    const args = mlflowServerArgs({ extraAllowedHosts: ["203.0.113.7:8000"], corsAllowedOrigins: ["http://203.0.113.7:8000"] });

    it("proxy artifacts to the MinIO bucket so clients need no S3 credentials", () => {
        expect(args).toContain("--serve-artifacts");
        expect(args).toContain(`--artifacts-destination=s3://${minio.artifactsBucket}`);
        expect(args).toContain("--default-artifact-root=mlflow-artifacts:/");
    });

    it("reference the database password through the kubelet's $(VAR) expansion only", () => {
        const backend = args.find((a) => a.startsWith("--backend-store-uri="))!;
        expect(backend).toBe(`--backend-store-uri=postgresql://$(DB_USER):$(DB_PASSWORD)@${postgres.host}:5432/${postgres.database}`);
    });

    it("accept the Host headers pods and browsers send (MLflow 3 rejects others with 403)", () => {
        const hosts = args.find((a) => a.startsWith("--allowed-hosts="))!.slice("--allowed-hosts=".length).split(",");
        expect(hosts).toContain(new URL(mlflow.url).host);
        expect(hosts).toContain("203.0.113.7:8000");
        expect(clusterAllowedHosts()).toContain("mlflow:8000");
        expect(args).toContain("--cors-allowed-origins=http://203.0.113.7:8000");
    });

    it("pin the same MLflow version in the server image as infra/versions.ts", () => {
        const dockerfile = fs.readFileSync(path.join(__dirname, "../../../infra/platform/mlflow/image/Dockerfile"), "utf8");
        expect(dockerfile).toContain(`mlflow==${mlflowVersion} `);
        expect(dockerfile).toMatch(/psycopg2-binary==\d/);
        expect(dockerfile).toMatch(/boto3==\d/);
        expect(dockerfile).toMatch(/^FROM \S+:\S+@sha256:[0-9a-f]{64}$/m);
        expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT).*pip/m);
    });
});

describe("Postgres, MinIO and MLflow components", () => {
    it("keep generated passwords secret in every registered input, and pin every image", async () => {
        const registered = installMocks();
        const { Postgres } = await import("../../../infra/platform/postgres/index.js");
        const { Minio } = await import("../../../infra/platform/minio/index.js");
        const { Mlflow } = await import("../../../infra/platform/mlflow/index.js");
        new Postgres("postgres", storage);
        new Minio("minio", { ...storage, buckets: [minio.artifactsBucket] });
        new Mlflow("mlflow", { imageBuildsEnabled: true, publicAddress: "203.0.113.7" });
        await settled(registered);

        const passwords = ofType(registered, "pulumi-nodejs:dynamic/gourmetgram:GeneratedPassword");
        expect(passwords.map((p) => p.name).sort()).toEqual(["minio-root-password", "postgres-password"]);
        const secretsInClear = registered.flatMap((r) =>
            plainStrings(r.inputs)
                .filter((s) => passwords.some((p) => s.value.includes(mockPassword(p.name))))
                .map((s) => `${r.type} ${r.name} ${s.path}`),
        );
        expect(secretsInClear).toEqual([]);

        const secrets = ofType(registered, "kubernetes:core/v1:Secret");
        expect(secrets.map((s) => s.inputs.metadata.name).sort()).toEqual(["minio-credentials", "postgres-credentials"]);
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
        ]);
    });
});
