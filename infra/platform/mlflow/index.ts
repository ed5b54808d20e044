import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { mlflow } from "../../names";
import { ContainerResources } from "../common/resources";
import { pulumiArgs } from "../common/to-pulumi";
import { ImageBuild } from "../image-build";
import { mlflowDeployment, mlflowMetadata, mlflowService } from "./manifests";

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
    /** The cluster's public address, when it has one: added to the Host and CORS allow-lists. */
    publicAddress?: pulumi.Input<string | undefined>;
    resources?: ContainerResources;
}

/** The MLflow tracking server and model registry, `mlflow` on port 8000. */
export class Mlflow extends pulumi.ComponentResource {
    readonly image: pulumi.Output<string>;
    /** In-cluster tracking URI. */
    readonly url: string = mlflow.url;

    constructor(name: string, args: MlflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:Mlflow", name, {}, opts);
        const child = { parent: this };
        this.image = args.image
            ? pulumi.output(args.image)
            : new ImageBuild(`${name}-image`, { name: "mlflow-server", contextDir: mlflowImageContext, enabled: args.imageBuildsEnabled }, child)
                  .image;

        const spec = pulumi.all([this.image, args.publicAddress]).apply(([image, address]) => {
            const deployment = mlflowDeployment({
                image,
                extraAllowedHosts: address ? [address, `${address}:${mlflow.port}`] : [],
                corsAllowedOrigins: address ? [`http://${address}:${mlflow.port}`] : [],
                resources: args.resources,
            });
            return pulumiArgs<k8s.types.input.apps.v1.DeploymentSpec>(deployment.spec!);
        });
        const deployment = new k8s.apps.v1.Deployment(name, { metadata: mlflowMetadata(), spec }, child);
        new k8s.core.v1.Service(name, pulumiArgs(mlflowService()), { ...child, dependsOn: [deployment] });
        this.registerOutputs({ image: this.image, url: this.url });
    }
}
