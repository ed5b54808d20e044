/**
 * What the lab's containers run on the one-node cluster: for every image the program names,
 * the image built on this machine that stands in for it. Two kinds of rows:
 * - published images (pinned in vocabulary/versions.ts or in the Argo install manifests):
 *   each recipe in scripts/toolchain/images.d declares the reference it stands in for, and
 *   images.json carries it (`standsInFor`);
 * - images the program builds in the cluster from this repository (the MLflow server): their
 *   reference carries the content hash of their sources, computed here with the program's own
 *   functions, so a changed Dockerfile changes the row with it.
 */
import { buildContext, contentTag } from "../../../infra/platform/image-build/context";
import { imageReference } from "../../../infra/platform/image-build/manifests";
import { mlflowImageContext } from "../../../infra/platform/mlflow";
import { registry } from "../../../vocabulary/names";
import type { ImageLookup } from "./local-image-transform";
import type { ClusterToolchain } from "./tools";

/** The reference the program gives an image it builds in the cluster (see ImageBuild). */
export function inClusterImageRef(repository: string, contextDir: string, dockerfile = "Dockerfile"): string {
    return imageReference(registry.host, repository, contentTag(buildContext(contextDir, dockerfile).digest));
}

export interface LabImages {
    lookup: ImageLookup;
    /** The local image the Argo Workflows controller runs steps' executors from. */
    executorImage: string;
    /** Every row: product reference -> local reference. */
    table: Record<string, string>;
}

type ImagesJson = Record<string, { ref: string; standsInFor?: string }>;

export function labImageLookup(tools: Pick<ClusterToolchain, "images">): LabImages {
    const images = tools.images as unknown as ImagesJson;
    const local = (name: string): string => {
        const image = images[name];
        if (!image) throw new Error(`images.json has no image "${name}": run bash scripts/toolchain/build.sh images`);
        return image.ref;
    };
    const table: Record<string, string> = {};
    for (const image of Object.values(images)) {
        if (image.standsInFor) table[image.standsInFor] = image.ref;
    }
    table[inClusterImageRef("mlflow-server", mlflowImageContext)] = local("mlflow");
    return { lookup: (ref) => table[ref], executorImage: local("argoexec"), table };
}
