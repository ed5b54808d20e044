import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaces, registry } from "../../../vocabulary/names";
import type { NodeSecurityProfiles } from "../../k3s/apparmor-profiles";
import { pulumiArgs } from "../common/to-pulumi";
import { buildContext, contentTag } from "./context";
import { checkRepositoryName, imageBuildManifests, imageReference } from "./manifests";

export interface ImageBuildArgs {
    /** Image repository name in the registry, e.g. "gourmetgram-gates". */
    name: string;
    /** Directory (on the machine running Pulumi) sent as the build context. */
    contextDir: string;
    /** Dockerfile path relative to contextDir; "Dockerfile" when omitted. */
    dockerfile?: string;
    /**
     * Paths inside contextDir (files or directories) that make up the context; the whole
     * directory when omitted. The Dockerfile is always included.
     */
    include?: readonly string[];
    /** host:port to push to; the in-cluster registry when omitted. */
    registryHost?: string;
    /** Namespace of the build Job; gourmetgram-platform when omitted. */
    namespace?: string;
    /**
     * false on clusters without a kubelet (the e2e API server): the tag is still computed
     * so everything that references the image renders, but no build Job is created.
     */
    enabled?: boolean;
    /** What the cluster's nodes hold of the lab's security profiles (the cluster's `nodeProfiles`); none when omitted. */
    nodeProfiles?: NodeSecurityProfiles;
}

/**
 * Builds an image from a directory of this repository inside the cluster (BuildKit), pushes it
 * to the registry, and names it by the content hash of its sources. `image` resolves only
 * after the push finished, so a consumer that uses it waits for the build.
 */
export class ImageBuild extends pulumi.ComponentResource {
    /** Full reference, `registry.kube-system.svc.cluster.local:5000/<name>:src-<hash>`. */
    readonly image: pulumi.Output<string>;
    readonly tag: string;
    /** Whether a build Job was created (false when builds are switched off). */
    readonly built: boolean;

    constructor(name: string, args: ImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ImageBuild", name, {}, opts);
        const repository = checkRepositoryName(args.name);
        const dockerfile = args.dockerfile ?? "Dockerfile";
        const registryHost = args.registryHost ?? registry.host;
        const context = buildContext(args.contextDir, dockerfile, args.include);
        this.tag = contentTag(context.digest);
        this.built = args.enabled ?? true;
        const reference = imageReference(registryHost, repository, this.tag);

        if (this.built) {
            const manifests = imageBuildManifests({
                repository,
                registryHost,
                tag: this.tag,
                dockerfile,
                namespace: args.namespace ?? namespaces.platform,
                archiveBase64: context.archive.toString("base64"),
                nodeProfiles: args.nodeProfiles,
            });
            const child = { parent: this };
            const configMap = new k8s.core.v1.ConfigMap(`${name}-context`, pulumiArgs(manifests.context), child);
            const job = new k8s.batch.v1.Job(`${name}-build`, pulumiArgs(manifests.job), {
                ...child,
                dependsOn: [configMap],
                deleteBeforeReplace: true,
            });
            this.image = job.metadata.apply(() => reference);
        } else {
            this.image = pulumi.output(reference);
        }
        this.registerOutputs({ image: this.image, tag: this.tag, built: this.built });
    }
}
