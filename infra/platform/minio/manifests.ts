import { minio, namespaces, platformPublicPorts } from "../../names";
import { platformImages } from "../../versions";
import { componentLabels, selectorLabels } from "../common/labels";
import { type IJob, manifest } from "../common/manifest";
import { ContainerResources, platformResources, toResourceRequirements } from "../common/resources";
import { clusterService, dataVolume, dataVolumeClaim, singleInstanceDeployment } from "../common/single-instance";

/** Secret with MinIO's root login; MLflow uses the same keys as its S3 credentials. */
export const minioSecret = {
    name: "minio-credentials",
    userKey: "rootUser",
    passwordKey: "rootPassword",
} as const;

export const minioRootUser = "gourmetgram-admin";
export const minioConsoleServiceName = "minio-console";

export interface MinioManifestArgs {
    storageSize: string;
    storageClassName: string;
    resources?: ContainerResources;
}

const fromSecret = (key: string) => ({ secretKeyRef: { name: minioSecret.name, key } });

export function minioManifests(args: MinioManifestArgs) {
    const name = minio.serviceName;
    const namespace = namespaces.platform;
    const labels = componentLabels(name);
    const dataDir = "/data";

    const volumeClaim = dataVolumeClaim({ name, namespace, labels }, args);

    const deployment = singleInstanceDeployment({ name, namespace, labels, mountsDataVolume: true }, {
        containers: [
            {
                name,
                image: platformImages.minio,
                args: ["server", dataDir, "--address", `:${minio.apiPort}`, "--console-address", `:${minio.consolePort}`],
                ports: [
                    { name: "api", containerPort: minio.apiPort },
                    { name: "console", containerPort: minio.consolePort },
                ],
                env: [
                    { name: "MINIO_ROOT_USER", valueFrom: fromSecret(minioSecret.userKey) },
                    { name: "MINIO_ROOT_PASSWORD", valueFrom: fromSecret(minioSecret.passwordKey) },
                ],
                volumeMounts: [{ name: "data", mountPath: dataDir }],
                readinessProbe: { httpGet: { path: "/minio/health/ready", port: minio.apiPort }, periodSeconds: 5 },
                livenessProbe: {
                    httpGet: { path: "/minio/health/live", port: minio.apiPort },
                    initialDelaySeconds: 10,
                    periodSeconds: 20,
                },
                resources: toResourceRequirements(args.resources ?? platformResources.minio),
            },
        ],
        volumes: [dataVolume(volumeClaim)],
    });

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
 * A Job that creates the MLflow artifacts bucket. `mc mb --ignore-existing` makes a rerun a
 * no-op; the loop waits (bounded) for MinIO to accept the login before giving up.
 */
export function createBucketJob(bucket: string, resources: ContainerResources = platformResources.bucketJob): IJob {
    const name = `minio-create-bucket-${bucket}`;
    const script = [
        "set -eu",
        "for attempt in $(seq 1 30); do",
        `  if mc alias set platform "${minio.url}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; then break; fi`,
        '  if [ "$attempt" -eq 30 ]; then echo "MinIO did not accept the login within 150s" >&2; exit 1; fi',
        "  sleep 5",
        "done",
        `mc mb --ignore-existing "platform/${bucket}"`,
    ].join("\n");
    return manifest.Job({
        metadata: { name, namespace: namespaces.platform, labels: componentLabels("minio-create-bucket") },
        spec: {
            backoffLimit: 4,
            activeDeadlineSeconds: 900,
            template: {
                metadata: { labels: componentLabels("minio-create-bucket") },
                spec: {
                    restartPolicy: "OnFailure",
                    containers: [
                        {
                            name: "mc",
                            image: platformImages.minioClient,
                            command: ["sh", "-c", script],
                            env: [
                                { name: "MINIO_ROOT_USER", valueFrom: fromSecret(minioSecret.userKey) },
                                { name: "MINIO_ROOT_PASSWORD", valueFrom: fromSecret(minioSecret.passwordKey) },
                                // mc keeps its alias file here; the image's default home is read-only for some runtimes.
                                { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
                            ],
                            resources: toResourceRequirements(resources),
                        },
                    ],
                },
            },
        },
    });
}
