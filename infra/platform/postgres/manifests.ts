import { namespaces, postgres } from "../../names";
import { platformImages } from "../../versions";
import { componentLabels } from "../common/labels";
import { ContainerResources, platformResources, toResourceRequirements } from "../common/resources";
import { clusterService, dataVolume, dataVolumeClaim, singleInstanceDeployment } from "../common/single-instance";

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
    resources?: ContainerResources;
}

export function postgresManifests(args: PostgresManifestArgs) {
    const name = postgres.serviceName;
    const namespace = namespaces.platform;
    const labels = componentLabels(name);
    const dataDir = "/var/lib/postgresql/data";
    const ready = {
        exec: { command: ["sh", "-c", 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'] },
    };
    const fromSecret = (key: string) => ({ secretKeyRef: { name: postgresSecret.name, key } });

    const volumeClaim = dataVolumeClaim({ name, namespace, labels }, args);

    const deployment = singleInstanceDeployment({ name, namespace, labels, mountsDataVolume: true }, {
        containers: [
            {
                name,
                image: platformImages.postgres,
                ports: [{ name: "postgres", containerPort: postgres.port }],
                env: [
                    { name: "POSTGRES_DB", value: postgres.database },
                    { name: "POSTGRES_USER", valueFrom: fromSecret(postgresSecret.usernameKey) },
                    { name: "POSTGRES_PASSWORD", valueFrom: fromSecret(postgresSecret.passwordKey) },
                    // A subdirectory: initdb refuses a mount point that is not empty.
                    { name: "PGDATA", value: `${dataDir}/pgdata` },
                ],
                volumeMounts: [{ name: "data", mountPath: dataDir }],
                readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 3 },
                livenessProbe: { ...ready, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
                resources: toResourceRequirements(args.resources ?? platformResources.postgres),
            },
        ],
        volumes: [dataVolume(volumeClaim)],
    });

    const service = clusterService({ name, namespace, labels }, { postgres: postgres.port });

    return { volumeClaim, deployment, service };
}
