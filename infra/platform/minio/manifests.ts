import { minio, namespaces, platformPublicPorts } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { componentLabels, selectorLabels } from "../common/labels";
import { type IJob, manifest } from "../common/manifest";
import { ContainerResources, platformResources, toResourceRequirements } from "../common/resources";
import { clusterService, dataVolume, dataVolumeClaim, singleInstanceDeployment } from "../common/single-instance";
import { restrictedContainer, restrictedPod } from "../common/security";

/**
 * Secret with MinIO's root login: for people (the console) and the setup Job only. `configEnv`
 * is the same login as the env file MinIO reads (MINIO_CONFIG_ENV_FILE), so it is a file.
 */
export const minioSecret = {
    name: "minio-credentials",
    userKey: "rootUser",
    passwordKey: "rootPassword",
    configEnvKey: "config.env",
} as const;

/**
 * MLflow's own MinIO user, allowed only its artifacts bucket. `credentialsFileKey` holds the
 * AWS shared-credentials file boto3 reads (AWS_SHARED_CREDENTIALS_FILE).
 */
export const minioMlflowSecret = {
    name: "minio-mlflow-credentials",
    accessKeyKey: "accessKey",
    secretKeyKey: "secretKey",
    credentialsFileKey: "credentials",
} as const;
export const minioMlflowUser = "mlflow";
export const minioMlflowPolicy = "mlflow-artifacts-rw";

/** MinIO's env file: its root login, one line each. */
export function minioConfigEnv(user: string, password: string): string {
    return `MINIO_ROOT_USER=${user}\nMINIO_ROOT_PASSWORD=${password}\n`;
}

/** The AWS shared-credentials file boto3 reads for MLflow's S3 access. */
export function awsCredentialsFile(accessKey: string, secretKey: string): string {
    return `[default]\naws_access_key_id = ${accessKey}\naws_secret_access_key = ${secretKey}\n`;
}

/** An S3 policy that allows one bucket and its objects, nothing else. */
export function bucketPolicy(bucket: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [`arn:aws:s3:::${bucket}`] },
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: [`arn:aws:s3:::${bucket}/*`],
            },
        ],
    };
}

/** MinIO and mc run as this user: MinIO's data directory (a local-path volume) is world-writable. */
export const minioUid = 10001;
export const minioRootUser = "gourmetgram-admin";
export const minioConsoleServiceName = "minio-console";

export interface MinioManifestArgs {
    storageSize: string;
    storageClassName: string;
}


export function minioManifests(args: MinioManifestArgs) {
    const name = minio.serviceName;
    const namespace = namespaces.platform;
    const labels = componentLabels(name);
    const dataDir = "/data";

    const volumeClaim = dataVolumeClaim({ name, namespace, labels }, args);

    const deployment = singleInstanceDeployment({ name, namespace, labels, mountsDataVolume: true }, restrictedPod({
        containers: [
            restrictedContainer({
                name,
                image: platformImages.minio,
                args: [
                    "server", dataDir,
                    "--address", `:${minio.apiPort}`,
                    "--console-address", `:${minio.consolePort}`,
                    // The read-only root: MinIO's certificates directory (no TLS here) under /tmp.
                    "--certs-dir", "/tmp/certs",
                ],
                ports: [
                    { name: "api", containerPort: minio.apiPort },
                    { name: "console", containerPort: minio.consolePort },
                ],
                env: [
                    // The root login from a file in the Secret, not from the environment.
                    { name: "MINIO_CONFIG_ENV_FILE", value: `/etc/minio/${minioSecret.configEnvKey}` },
                    { name: "HOME", value: "/tmp" },
                ],
                volumeMounts: [
                    { name: "data", mountPath: dataDir },
                    { name: "config", mountPath: "/etc/minio", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                readinessProbe: { httpGet: { path: "/minio/health/ready", port: minio.apiPort }, periodSeconds: 5 },
                livenessProbe: {
                    httpGet: { path: "/minio/health/live", port: minio.apiPort },
                    initialDelaySeconds: 10,
                    periodSeconds: 20,
                },
                resources: toResourceRequirements(platformResources.minio),
            }),
        ],
        volumes: [
            dataVolume(volumeClaim),
            { name: "config", secret: { secretName: minioSecret.name, items: [{ key: minioSecret.configEnvKey, path: minioSecret.configEnvKey }] } },
            { name: "tmp", emptyDir: {} },
        ],
    }, { uid: minioUid }));

    const service = clusterService({ name, namespace, labels }, { api: minio.apiPort, console: minio.consolePort });

    // Only the console is published; the S3 API stays inside the cluster (MLflow proxies artifacts).
    const consoleService = manifest.Service({
        metadata: { name: minioConsoleServiceName, namespace, labels },
        spec: {
            type: "LoadBalancer",
            selector: selectorLabels(name),
            ports: [{ name: "console", port: platformPublicPorts.minioConsole, targetPort: minio.consolePort }],
        },
    });

    return { volumeClaim, deployment, service, consoleService };
}

/**
 * A Job that creates the MLflow artifacts bucket and MLflow's own MinIO user, allowed only that
 * bucket (re-run, it resets the user's secret to the Secret's and keeps the policy attached).
 * Logins come from mounted Secret files; mc gets the root login through MC_HOST_<alias>, set
 * inside the script, never in the pod spec. The loop waits, bounded, for MinIO to accept it.
 */
export function createBucketJob(bucket: string, resources: ContainerResources = platformResources.bucketJob): IJob {
    const name = `minio-create-bucket-${bucket}`;
    const root = "/etc/minio-root";
    const mlflowDir = "/etc/minio-mlflow";
    const host = minio.url.replace(/^http:\/\//, "");
    const script = [
        "set -eu",
        `user=$(cat ${root}/${minioSecret.userKey}); password=$(cat ${root}/${minioSecret.passwordKey})`,
        `export MC_HOST_platform="http://$user:$password@${host}"`,
        "for attempt in $(seq 1 30); do",
        "  if mc admin info platform >/dev/null 2>&1; then break; fi",
        '  if [ "$attempt" -eq 30 ]; then echo "MinIO did not accept the login within 150s" >&2; exit 1; fi',
        "  sleep 5",
        "done",
        `mc mb --ignore-existing "platform/${bucket}"`,
        `cat > /tmp/policy.json <<'POLICY'`,
        JSON.stringify(bucketPolicy(bucket)),
        "POLICY",
        `mc admin policy create platform ${minioMlflowPolicy} /tmp/policy.json`,
        `mc admin user add platform ${minioMlflowUser} "$(cat ${mlflowDir}/${minioMlflowSecret.secretKeyKey})"`,
        `if ! out=$(mc admin policy attach platform ${minioMlflowPolicy} --user ${minioMlflowUser} 2>&1); then`,
        '  case "$out" in *already*) ;; *) echo "$out" >&2; exit 1 ;; esac',
        "fi",
        `echo "bucket ${bucket} and user ${minioMlflowUser} (policy ${minioMlflowPolicy}) are in place"`,
    ].join("\n");
    return manifest.Job({
        metadata: { name, namespace: namespaces.platform, labels: componentLabels("minio-create-bucket") },
        spec: {
            backoffLimit: 4,
            activeDeadlineSeconds: 900,
            template: {
                metadata: { labels: componentLabels("minio-create-bucket") },
                spec: restrictedPod({
                    restartPolicy: "OnFailure",
                    containers: [
                        restrictedContainer({
                            name: "mc",
                            image: platformImages.minioClient,
                            command: ["sh", "-c", script],
                            // mc keeps its alias file here; the root filesystem is read-only.
                            env: [{ name: "MC_CONFIG_DIR", value: "/tmp/mc" }],
                            volumeMounts: [
                                { name: "root", mountPath: root, readOnly: true },
                                { name: "mlflow", mountPath: mlflowDir, readOnly: true },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                            resources: toResourceRequirements(resources),
                        }),
                    ],
                    volumes: [
                        { name: "root", secret: { secretName: minioSecret.name, items: [{ key: minioSecret.userKey, path: minioSecret.userKey }, { key: minioSecret.passwordKey, path: minioSecret.passwordKey }] } },
                        { name: "mlflow", secret: { secretName: minioMlflowSecret.name, items: [{ key: minioMlflowSecret.secretKeyKey, path: minioMlflowSecret.secretKeyKey }] } },
                        { name: "tmp", emptyDir: {} },
                    ],
                }, { uid: minioUid }),
            },
        },
    });
}
