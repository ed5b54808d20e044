import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaces, postgres } from "../../../vocabulary/names";
import { pulumiArgs } from "../common/to-pulumi";
import { credentialsSecret, secretPassword } from "../credentials";
import { postgresManifests, postgresSecret, postgresUser } from "./manifests";

export interface PostgresArgs {
    storageSize: string;
    storageClassName: string;
}

/** MLflow's backend store: one Postgres with a persistent volume and a generated password. */
export class Postgres extends pulumi.ComponentResource {
    /** MLflow's database password (a secret): MLflow's database URIs are assembled from it. */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:Postgres", name, {}, opts);
        const child = { parent: this };
        const manifests = postgresManifests(args);

        const password = secretPassword(`${name}-password`, { length: 32 }, child);
        this.password = password;
        const secret = credentialsSecret(
            `${name}-credentials`,
            {
                name: postgresSecret.name,
                namespace: namespaces.platform,
                component: postgres.serviceName,
                values: { [postgresSecret.usernameKey]: postgresUser, [postgresSecret.passwordKey]: password },
            },
            child,
        );
        const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, pulumiArgs(manifests.volumeClaim), child);
        const deployment = new k8s.apps.v1.Deployment(name, pulumiArgs(manifests.deployment), { ...child, dependsOn: [secret, claim] });
        new k8s.core.v1.Service(name, pulumiArgs(manifests.service), { ...child, dependsOn: [deployment] });
        this.registerOutputs({ password: this.password });
    }
}
