/**
 * The harness's one change to what the program deploys on the one-node cluster: every
 * container image is replaced by the image built here that stands in for it (nothing can be
 * pulled from a public registry on this machine). The replacement comes from one table;
 * an image the table lacks fails the deployment with its name, never passes through silently.
 * Each replaced container's pull policy becomes Never: there is nowhere to pull from, and some
 * upstream manifests (Argo CD's) say Always. The Argo Workflows controller is also told to run
 * steps with the local executor image, which it otherwise names itself
 * (quay.io/argoproj/argoexec:<version>). In the lab's WorkflowTemplates, images of the in-cluster
 * registry stay as they are: the pipeline's pods pull them from there (registry-images.ts).
 */
import * as pulumi from "@pulumi/pulumi";

type Obj = Record<string, any>;

/** Where a kind keeps its pod template. */
const podSpecPaths: Record<string, string[]> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "kubernetes:core/v1:Pod": ["spec"],
};

/** Argo kinds whose templates name step images. */
const workflowKinds = new Set(["kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "kubernetes:argoproj.io/v1alpha1:CronWorkflow"]);

/** The local image for a product reference, or undefined when the table has none. */
export type ImageLookup = (productRef: string) => string | undefined;

export class UnmappedImageError extends Error {}

/** Points `container` at its local stand-in, never to be pulled; `what` names it in the error when the table has none. */
function useLocalImage(container: Obj, lookup: ImageLookup, what: string): void {
    const local = lookup(container.image);
    if (local === undefined) {
        throw new UnmappedImageError(
            `${what} runs ${container.image}, which no image built here stands in for ` +
                "(add a row to test/cluster/harness/local-images.ts and a recipe to scripts/toolchain/images.d)",
        );
    }
    container.image = local;
    container.imagePullPolicy = "Never";
}

/** A copy of a pod spec with every container's image replaced through `lookup`. */
export function withLocalImages(podSpec: Obj, lookup: ImageLookup, where: string): Obj {
    const copy = structuredClone(podSpec);
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        for (const container of (copy[field] ?? []) as Obj[]) useLocalImage(container, lookup, `${where}: container ${container.name}`);
    }
    return copy;
}

/**
 * A copy of a Workflow spec with every step image replaced through `lookup`, except images of the
 * in-cluster registry (`registryHost/...`), which the node pulls through its mirror.
 */
export function withLocalStepImages(workflowSpec: Obj, lookup: ImageLookup, registryHost: string, where: string): Obj {
    const copy = structuredClone(workflowSpec);
    for (const template of (copy.templates ?? []) as Obj[]) {
        const containers = [template.container, template.script, ...((template.initContainers ?? []) as Obj[]), ...((template.sidecars ?? []) as Obj[])];
        for (const container of containers.filter((c): c is Obj => c !== undefined && typeof c.image === "string")) {
            if (!container.image.startsWith(`${registryHost}/`)) useLocalImage(container, lookup, `${where}: template ${template.name}`);
        }
    }
    return copy;
}

/** Sets `--executor-image` on the workflow controller's container, replacing any setting. */
export function withExecutorImage(podSpec: Obj, executorImage: string): Obj {
    const copy = structuredClone(podSpec);
    const controller = (copy.containers as Obj[] | undefined)?.find((c) => c.name === "workflow-controller");
    if (!controller) throw new Error("the workflow-controller Deployment has no container named workflow-controller");
    const args = ((controller.args ?? []) as string[]).filter((a) => !a.startsWith("--executor-image="));
    controller.args = [...args, `--executor-image=${executorImage}`];
    return copy;
}

function getAt(value: Obj, path: string[]): Obj | undefined {
    return path.reduce<Obj | undefined>((v, key) => (v === undefined ? undefined : v[key]), value);
}

function setAt(value: Obj, path: string[], replacement: Obj): Obj {
    if (path.length === 0) return replacement;
    const [head, ...rest] = path;
    return { ...value, [head]: setAt(value[head] ?? {}, rest, replacement) };
}

export interface LocalImageTransformOptions {
    lookup: ImageLookup;
    /** The in-cluster registry's host: step images there are pulled, not replaced. */
    registryHost: string;
    /** The local executor image the workflow controller is given. */
    executorImage: string;
}

/** The Pulumi resource transform that applies withLocalImages to every pod-bearing resource. */
export function localImageTransform(options: LocalImageTransformOptions): pulumi.ResourceTransform {
    return (args) => {
        if (workflowKinds.has(args.type)) {
            const spec = pulumi.output(args.props.spec as Obj).apply((resolved) =>
                resolved.workflowSpec
                    ? { ...resolved, workflowSpec: withLocalStepImages(resolved.workflowSpec, options.lookup, options.registryHost, `${args.type} ${args.name}`) }
                    : withLocalStepImages(resolved, options.lookup, options.registryHost, `${args.type} ${args.name}`),
            );
            return { props: { ...args.props, spec }, opts: args.opts };
        }
        const path = podSpecPaths[args.type];
        if (!path) return undefined;
        // Every pod spec lives under the top-level `spec`; the name says which Deployment it is.
        const spec = pulumi.all([args.props.metadata as Obj | undefined, args.props.spec as Obj]).apply(([metadata, resolved]) => {
            const podSpec = getAt(resolved, path.slice(1));
            if (!podSpec) return resolved;
            let replaced = withLocalImages(podSpec, options.lookup, `${args.type} ${args.name}`);
            if (args.type === "kubernetes:apps/v1:Deployment" && metadata?.name === "workflow-controller") {
                replaced = withExecutorImage(replaced, options.executorImage);
            }
            return setAt(resolved, path.slice(1), replaced);
        });
        return { props: { ...args.props, spec }, opts: args.opts };
    };
}
