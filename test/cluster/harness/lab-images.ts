/**
 * The lab's image replacement on the one-node cluster, from the one table (local-images.ts:
 * product reference -> image name) and images.json (image name -> the reference it was
 * imported under). A table row whose image was not built is an error naming the build step.
 */
import type { ImageLookup } from "./local-image-transform";
import { argoWorkflowsImages, localImages } from "./local-images";
import type { ClusterToolchain } from "./tools";

export interface LabImages {
    lookup: ImageLookup;
    /** The local image the Argo Workflows controller runs steps' executors from. */
    executorImage: string;
}

export function labImageLookup(tools: Pick<ClusterToolchain, "images">): LabImages {
    const built = tools.images as unknown as Record<string, { ref: string } | undefined>;
    const importedAs = (name: string): string => {
        const image = built[name];
        if (!image) throw new Error(`images.json has no image "${name}": run bash scripts/toolchain/build.sh images`);
        return image.ref;
    };
    const lookup: ImageLookup = (ref) => (Object.hasOwn(localImages, ref) ? importedAs(localImages[ref].local) : undefined);
    return { lookup, executorImage: importedAs(localImages[argoWorkflowsImages.executor].local) };
}
