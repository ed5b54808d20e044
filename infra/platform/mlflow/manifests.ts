import { minio, mlflow, namespaces } from "../../../vocabulary/names";
import { componentLabels, selectorLabels } from "../common/labels";
import { type IDeployment, type IService, manifest } from "../common/manifest";
import { platformResources, toResourceRequirements } from "../common/resources";
import { minioMlflowSecret } from "../minio/manifests";
import { checkovWaivers, inClusterImageWaivers } from "../common/security";
import { singleInstanceDeployment } from "../common/single-instance";
import { registryPullSecrets } from "../registry/login";
import { restrictedContainer, restrictedPod } from "../common/security";
import { createAuthDatabaseContainer, mlflowAuth, mlflowServerSecret } from "./auth";

export interface MlflowManifestArgs {
    /** Server image; must contain mlflow, psycopg2 and boto3. */
    image: string;
    /**
     * Host headers MLflow answers (its DNS-rebinding guard rejects any other with 403):
     * the cluster DNS names are always included; add the public address here.
     */
    extraAllowedHosts?: string[];
    /** Origins allowed to make state-changing browser requests, e.g. the UI's public URL. */
    corsAllowedOrigins?: string[];
}

/** Every Host header a pod inside the cluster may send to reach MLflow. */
export function clusterAllowedHosts(): string[] {
    const names = [
        mlflow.serviceName,
        `${mlflow.serviceName}.${namespaces.platform}`,
        `${mlflow.serviceName}.${namespaces.platform}.svc`,
        `${mlflow.serviceName}.${namespaces.platform}.svc.cluster.local`,
    ];
    // Private address ranges cover pod IPs and ClusterIPs; localhost covers the probes.
    return [
        ...names,
        ...names.map((n) => `${n}:${mlflow.port}`),
        "localhost",
        `localhost:${mlflow.port}`,
        "127.0.0.1",
        `127.0.0.1:${mlflow.port}`,
        "10.*",
        "172.*",
        "192.168.*",
    ];
}

/**
 * Server worker processes. Each is a whole Python process with MLflow, the auth app and the
 * S3 client loaded (about 260 MiB on the one-node cluster); MLflow's default of 4, with its job
 * runner, went past the container's 2Gi limit while starting. Two serve the lab's few users
 * and its pipeline.
 */
export const mlflowServerWorkers = 2;

/**
 * The server's command line: nothing secret. The database URI comes from the environment
 * (MLFLOW_BACKEND_STORE_URI, from a Secret), the auth settings from a file (MLFLOW_AUTH_CONFIG_PATH).
 */
export function mlflowServerArgs(args: Pick<MlflowManifestArgs, "extraAllowedHosts" | "corsAllowedOrigins">): string[] {
    const allowedHosts = [...clusterAllowedHosts(), ...(args.extraAllowedHosts ?? [])];
    const serverArgs = [
        "server",
        "--host=0.0.0.0",
        `--port=${mlflow.port}`,
        `--workers=${mlflowServerWorkers}`,
        // Every request but /health needs an MLflow user (basic auth).
        `--app-name=${mlflowAuth.appName}`,
        // Clients upload and download artifacts through MLflow; only MLflow holds S3 credentials.
        "--serve-artifacts",
        `--artifacts-destination=s3://${minio.artifactsBucket}`,
        "--default-artifact-root=mlflow-artifacts:/",
        `--allowed-hosts=${allowedHosts.join(",")}`,
    ];
    if (args.corsAllowedOrigins && args.corsAllowedOrigins.length > 0) {
        serverArgs.push(`--cors-allowed-origins=${args.corsAllowedOrigins.join(",")}`);
    }
    return serverArgs;
}

export function mlflowMetadata() {
    return { name: mlflow.serviceName, namespace: namespaces.platform, labels: componentLabels(mlflow.serviceName) };
}

/** The Deployment's metadata: the checks it waives, with the reasons, beside it. */
export function mlflowDeploymentMetadata() {
    return {
        ...mlflowMetadata(),
        annotations: checkovWaivers({
            ...inClusterImageWaivers,
            CKV_K8S_35: "MLflow takes its database URI and its Flask secret key only from the command line or the environment; every other secret is a file",
        }),
    };
}

export function mlflowDeployment(args: MlflowManifestArgs): IDeployment {
    const name = mlflow.serviceName;
    const health = { httpGet: { path: "/health", port: mlflow.port } };
    const ref = (secret: string, key: string) => ({ secretKeyRef: { name: secret, key } });

    const server = mlflowServerSecret;

    const deployment = singleInstanceDeployment({ ...mlflowMetadata(), mountsDataVolume: false }, restrictedPod({
        ...registryPullSecrets([args.image]),
        initContainers: [createAuthDatabaseContainer()],
        containers: [
            restrictedContainer({
                name,
                image: args.image,
                args: mlflowServerArgs(args),
                ports: [{ name: "http", containerPort: mlflow.port }],
                env: [
                    // MLflow reads a database URI only from its command line or these variables.
                    { name: "MLFLOW_BACKEND_STORE_URI", valueFrom: ref(server.name, server.backendStoreUriKey) },
                    { name: "MLFLOW_AUTH_CONFIG_PATH", value: `${mlflowAuth.configDir}/${mlflowAuth.configFile}` },
                    // The basic-auth app's CSRF key; MLflow takes it from the environment only.
                    { name: "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom: ref(server.name, server.flaskSecretKeyKey) },
                    // MLflow's own MinIO user (only the artifacts bucket), as a credentials file.
                    { name: "AWS_SHARED_CREDENTIALS_FILE", value: "/etc/mlflow-s3/credentials" },
                    { name: "MLFLOW_S3_ENDPOINT_URL", value: minio.url },
                    // No background job runner: it serves GenAI jobs the lab never submits, and its
                    // seven queue consumers took about 1.7 GiB of the container's 2Gi on a real node.
                    { name: "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", value: "false" },
                    // The read-only root: Python, gunicorn and MLflow write only below /tmp.
                    { name: "HOME", value: "/tmp" },
                    { name: "TMPDIR", value: "/tmp" },
                ],
                volumeMounts: [
                    { name: "auth-config", mountPath: mlflowAuth.configDir, readOnly: true },
                    { name: "s3-credentials", mountPath: "/etc/mlflow-s3", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                readinessProbe: { ...health, periodSeconds: 5, timeoutSeconds: 3 },
                livenessProbe: { ...health, initialDelaySeconds: 60, periodSeconds: 20, timeoutSeconds: 5 },
                resources: toResourceRequirements(platformResources.mlflow),
            }),
        ],
        volumes: [
            { name: "auth-config", secret: { secretName: server.name, items: [{ key: server.authConfigKey, path: mlflowAuth.configFile }] } },
            {
                name: "s3-credentials",
                secret: { secretName: minioMlflowSecret.name, items: [{ key: minioMlflowSecret.credentialsFileKey, path: "credentials" }] },
            },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
        ],
    }));
    return { ...deployment, metadata: mlflowDeploymentMetadata() };
}

/** One Service for both audiences: pods use its DNS name, browsers its ServiceLB port. */
export function mlflowService(): IService {
    const name = mlflow.serviceName;
    return manifest.Service({
        metadata: mlflowMetadata(),
        spec: {
            type: "LoadBalancer",
            selector: selectorLabels(name),
            ports: [{ name: "http", port: mlflow.port, targetPort: mlflow.port }],
        },
    });
}
