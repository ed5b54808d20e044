import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { mlflow, mlflowPipelineCredentials, namespaces, postgres } from "../../../vocabulary/names";
import { credentialsSecret, secretPassword } from "../credentials";
import { postgresUser } from "../postgres/manifests";
import { basicAuthIni, createUsersJob, mlflowAdminSecret, mlflowAuth, mlflowServerSecret, postgresUri } from "./auth";
import type { NodeSecurityProfiles } from "../../k3s/apparmor-profiles";
import { pulumiArgs } from "../common/to-pulumi";
import { ImageBuild } from "../image-build";
import { mlflowDeployment, mlflowDeploymentMetadata, mlflowService } from "./manifests";

/** Build context of the MLflow server image (a Dockerfile pinning mlflow and its drivers). */
export const mlflowImageContext = path.join(__dirname, "image");

export interface MlflowArgs {
    /**
     * A prebuilt server image pinned by digest. When absent the image is built in the
     * cluster from mlflowImageContext and tagged by its content hash.
     */
    image?: string;
    /** Build the image in the cluster (false on an API server without nodes). */
    imageBuildsEnabled: boolean;
    /** What the cluster's nodes hold of the lab's security profiles, for the image build; none when omitted. */
    nodeProfiles?: NodeSecurityProfiles;
    /** The cluster's public address, when it has one: added to the Host and CORS allow-lists. */
    publicAddress?: pulumi.Input<string | undefined>;
    /** MLflow's Postgres password (a secret), for the tracking and the auth database URIs. */
    postgresPassword: pulumi.Input<string>;
}

/** The MLflow tracking server and model registry, `mlflow` on port 8000. */
export class Mlflow extends pulumi.ComponentResource {
    /** The `admin` user's password (a secret stack output). */
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: MlflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:Mlflow", name, {}, opts);
        const child = { parent: this };
        const image = args.image
            ? pulumi.output(args.image)
            : new ImageBuild(`${name}-image`, { name: "mlflow-server", contextDir: mlflowImageContext, enabled: args.imageBuildsEnabled, nodeProfiles: args.nodeProfiles }, child)
                  .image;

        const spec = pulumi.all([image, args.publicAddress]).apply(([image, address]) => {
            const deployment = mlflowDeployment({
                image,
                extraAllowedHosts: address ? [address, `${address}:${mlflow.port}`] : [],
                corsAllowedOrigins: address ? [`http://${address}:${mlflow.port}`] : [],
            });
            return pulumiArgs<k8s.types.input.apps.v1.DeploymentSpec>(deployment.spec!);
        });
        const adminPassword = secretPassword(`${name}-admin-password`, { length: 32 }, child);
        const pipelinePassword = secretPassword(`${name}-pipeline-password`, { length: 32 }, child);
        const flaskSecretKey = secretPassword(`${name}-flask-secret-key`, { length: 64 }, child);
        this.adminPassword = adminPassword;
        const dbPassword = pulumi.output(args.postgresPassword);

        const serverSecret = credentialsSecret(
            `${name}-server`,
            {
                name: mlflowServerSecret.name,
                namespace: namespaces.platform,
                component: mlflow.serviceName,
                values: {
                    [mlflowServerSecret.backendStoreUriKey]: dbPassword.apply((pw) => postgresUri(postgresUser, pw, postgres.database)),
                    [mlflowServerSecret.authConfigKey]: pulumi
                        .all([dbPassword, adminPassword])
                        .apply(([pw, admin]) => basicAuthIni({ databaseUri: postgresUri(postgresUser, pw, mlflowAuth.database), adminPassword: admin })),
                    [mlflowServerSecret.flaskSecretKeyKey]: flaskSecretKey,
                },
            },
            child,
        );
        const adminSecret = credentialsSecret(
            `${name}-admin-credentials`,
            {
                name: mlflowAdminSecret.name,
                namespace: namespaces.platform,
                component: mlflow.serviceName,
                values: { [mlflowAdminSecret.usernameKey]: mlflowAuth.adminUsername, [mlflowAdminSecret.passwordKey]: adminPassword },
            },
            child,
        );
        const pipelineLogin = {
            [mlflowPipelineCredentials.usernameKey]: mlflowPipelineCredentials.username,
            [mlflowPipelineCredentials.passwordKey]: pipelinePassword,
        };
        // One copy for the Job that creates the user, one for the pipeline's pods.
        const pipelineSecrets = [namespaces.platform, namespaces.workflows].map((namespace) =>
            credentialsSecret(
                `${name}-pipeline-credentials-${namespace}`,
                { name: mlflowPipelineCredentials.secretName, namespace, component: mlflow.serviceName, values: pipelineLogin },
                child,
            ),
        );

        const deployment = new k8s.apps.v1.Deployment(name, { metadata: mlflowDeploymentMetadata(), spec }, { ...child, dependsOn: [serverSecret] });
        const service = new k8s.core.v1.Service(name, pulumiArgs(mlflowService()), { ...child, dependsOn: [deployment] });
        const usersJob = (image: string) => pulumiArgs<{ metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.batch.v1.JobSpec }>(createUsersJob(image));
        new k8s.batch.v1.Job(`${name}-create-users`, {
            metadata: usersJob("image").metadata,
            spec: image.apply((server) => usersJob(server).spec),
        }, {
            ...child,
            dependsOn: [service, adminSecret, ...pipelineSecrets],
            // A Job's pod template is immutable: a changed job is a new job.
            deleteBeforeReplace: true,
        });
        this.registerOutputs({ adminPassword: this.adminPassword });
    }
}
