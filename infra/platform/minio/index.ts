import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { minio, namespaces } from "../../../vocabulary/names";
import { pulumiArgs } from "../common/to-pulumi";
import { credentialsSecret, secretPassword } from "../credentials";
import {
    awsCredentialsFile,
    createBucketJob,
    minioConfigEnv,
    minioManifests,
    minioMlflowSecret,
    minioMlflowUser,
    minioRootUser,
    minioSecret,
} from "./manifests";

export interface MinioArgs {
    storageSize: string;
    storageClassName: string;
    /** Buckets to create (idempotently) once MinIO is up. */
    buckets: string[];
}

/** Object storage for MLflow artifacts, with its console published through ServiceLB. */
export class Minio extends pulumi.ComponentResource {
    constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:Minio", name, {}, opts);
        const child = { parent: this };
        const manifests = minioManifests(args);

        const password = secretPassword(`${name}-root-password`, { length: 40 }, child);
        const secret = credentialsSecret(
            `${name}-credentials`,
            {
                name: minioSecret.name,
                namespace: namespaces.platform,
                component: minio.serviceName,
                values: {
                    [minioSecret.userKey]: minioRootUser,
                    [minioSecret.passwordKey]: password,
                    [minioSecret.configEnvKey]: password.apply((pw) => minioConfigEnv(minioRootUser, pw)),
                },
            },
            child,
        );
        // MLflow's S3 login: its own user, allowed only the artifacts bucket (the Job below).
        const mlflowKey = secretPassword(`${name}-mlflow-secret-key`, { length: 40 }, child);
        const mlflowSecret = credentialsSecret(
            `${name}-mlflow-credentials`,
            {
                name: minioMlflowSecret.name,
                namespace: namespaces.platform,
                component: minio.serviceName,
                values: {
                    [minioMlflowSecret.accessKeyKey]: minioMlflowUser,
                    [minioMlflowSecret.secretKeyKey]: mlflowKey,
                    [minioMlflowSecret.credentialsFileKey]: mlflowKey.apply((key) => awsCredentialsFile(minioMlflowUser, key)),
                },
            },
            child,
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, pulumiArgs(manifests.volumeClaim), child);
        const deployment = new k8s.apps.v1.Deployment(name, pulumiArgs(manifests.deployment), { ...child, dependsOn: [secret, claim] });
        const service = new k8s.core.v1.Service(name, pulumiArgs(manifests.service), { ...child, dependsOn: [deployment] });
        new k8s.core.v1.Service(`${name}-console`, pulumiArgs(manifests.consoleService), { ...child, dependsOn: [deployment] });
        for (const bucket of args.buckets) {
            new k8s.batch.v1.Job(`${name}-bucket-${bucket}`, pulumiArgs(createBucketJob(bucket)), {
                ...child,
                dependsOn: [service, mlflowSecret],
                // A Job's pod template is immutable: a changed job is a new job.
                deleteBeforeReplace: true,
            });
        }
        this.registerOutputs({});
    }
}
