import { namespaces, postgres } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { componentLabels } from "../common/labels";
import { platformResources, toResourceRequirements } from "../common/resources";
import { clusterService, dataVolume, dataVolumeClaim, singleInstanceDeployment } from "../common/single-instance";
import { checkovWaivers, restrictedContainer, restrictedPod } from "../common/security";

/** The `postgres` user of the Alpine image: the data directory of an existing lab is its. */
export const postgresUid = 70;
const secretDir = "/etc/postgres-credentials";

/** Secret that holds the database login; MLflow reads the same keys. */
export const postgresSecret = {
    name: "postgres-credentials",
    usernameKey: "username",
    passwordKey: "password",
} as const;

/** The database role MLflow logs in as (a name, not a secret). */
export const postgresUser = "mlflow";

export interface PostgresManifestArgs {
    storageSize: string;
    storageClassName: string;
}

export function postgresManifests(args: PostgresManifestArgs) {
    const name = postgres.serviceName;
    const namespace = namespaces.platform;
    const labels = componentLabels(name);
    const dataDir = "/var/lib/postgresql/data";
    const ready = {
        exec: { command: ["sh", "-c", `pg_isready -h 127.0.0.1 -p ${postgres.port} -U "$POSTGRES_USER" -d "$POSTGRES_DB"`] },
    };

    const volumeClaim = dataVolumeClaim({ name, namespace, labels }, args);

    const deployment = singleInstanceDeployment({ name, namespace, labels, mountsDataVolume: true, annotations: checkovWaivers({
        CKV_K8S_40: "the Alpine image's postgres user (uid 70) owns the data directory of an existing lab, and initdb needs the running user in /etc/passwd",
    }) }, restrictedPod({
        containers: [
            restrictedContainer({
                name,
                image: platformImages.postgres,
                ports: [{ name: "postgres", containerPort: postgres.port }],
                env: [
                    { name: "POSTGRES_DB", value: postgres.database },
                    // A name, not a secret; the password is a file (the image reads *_FILE).
                    { name: "POSTGRES_USER", value: postgresUser },
                    { name: "POSTGRES_PASSWORD_FILE", value: `${secretDir}/${postgresSecret.passwordKey}` },
                    // A subdirectory: initdb refuses a mount point that is not empty.
                    { name: "PGDATA", value: `${dataDir}/pgdata` },
                ],
                volumeMounts: [
                    { name: "data", mountPath: dataDir },
                    { name: "credentials", mountPath: secretDir, readOnly: true },
                    // The read-only root: the server's socket and temporary files.
                    { name: "run", mountPath: "/var/run/postgresql" },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 3 },
                livenessProbe: { ...ready, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
                resources: toResourceRequirements(platformResources.postgres),
            }),
        ],
        volumes: [
            dataVolume(volumeClaim),
            { name: "credentials", secret: { secretName: postgresSecret.name } },
            { name: "run", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
        ],
    }, { uid: postgresUid }));

    const service = clusterService({ name, namespace, labels }, { postgres: postgres.port });

    return { volumeClaim, deployment, service };
}
