import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { NodeSecurityProfiles } from "../../infra/k3s/apparmor-profiles";
import { ImageBuild } from "../../infra/platform/image-build";

const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * What the gate image is built from: its Dockerfile compiles pipeline/gates (which imports
 * vocabulary/names.ts and vocabulary/quantities.ts) with the dependency pins of the root package.json. Naming the files keeps
 * the image's content tag unchanged when anything else in the repository changes.
 */
export const gateImageSources = [
    "package.json",
    "vocabulary",
    "pipeline/gates",
    "pipeline/images/gates",
] as const;

export interface PipelineImageBuildsArgs {
    /** false on clusters without a kubelet: tags are still computed, nothing is built. */
    readonly buildsEnabled: boolean;
    /** What the cluster's nodes hold of the lab's security profiles (the cluster's `nodeProfiles`). */
    readonly nodeProfiles: NodeSecurityProfiles;
}

/**
 * The builds of the images the pipeline's steps run, in the cluster from this repository and
 * tagged by the content hash of their sources: the gate/release CLI and the training image.
 * Their references reach the templates as `PipelineImages` (pipeline/templates/settings.ts).
 */
export class PipelineImageBuilds extends pulumi.ComponentResource {
    readonly gates: pulumi.Output<string>;
    readonly train: pulumi.Output<string>;

    constructor(name: string, args: PipelineImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:pipeline:Images", name, {}, opts);
        const gates = new ImageBuild(`${name}-gates`, {
            name: "gourmetgram-gates",
            contextDir: repoRoot,
            dockerfile: "pipeline/images/gates/Dockerfile",
            include: gateImageSources,
            enabled: args.buildsEnabled,
            nodeProfiles: args.nodeProfiles,
        }, { parent: this });
        const train = new ImageBuild(`${name}-train`, {
            name: "gourmetgram-train",
            contextDir: path.join(__dirname, "train"),
            enabled: args.buildsEnabled,
            nodeProfiles: args.nodeProfiles,
        }, { parent: this });
        this.gates = gates.image;
        this.train = train.image;
        this.registerOutputs({ gates: this.gates, train: this.train });
    }
}
