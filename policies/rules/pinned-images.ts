import { ResourceValidationPolicy } from "@pulumi/policy";
import { ImageReferenceError, parseImageReference } from "../lib/image-reference";
import { VisitedContainer, workloadsOf } from "../lib/workloads";

export const pinnedImagesPolicyName = "pinned-images";

/** What is wrong with one container's image, or undefined when it is pinned. */
export function imageProblem(c: VisitedContainer): string | undefined {
    const raw = c.container.image;
    if (raw === undefined || raw === null || raw === "") return "declares no image";
    if (typeof raw !== "string") return `image ${JSON.stringify(raw)} is not a string`;
    const image = c.resolveParameters(raw);
    const shown = image === raw ? `"${raw}"` : `"${raw}" (resolves to "${image}")`;
    if (image.includes("{{")) {
        return `image ${shown} comes from a parameter with no declared value, so what runs cannot be checked; give the parameter a pinned default or value`;
    }
    let reference;
    try {
        reference = parseImageReference(image);
    } catch (e) {
        if (e instanceof ImageReferenceError) return e.message;
        throw e;
    }
    if (reference.tag === "latest") return `image ${shown} uses the mutable tag "latest"`;
    if (reference.tag === undefined && reference.digest === undefined) {
        return `image ${shown} has no tag or digest, so it pulls "latest"`;
    }
    return undefined;
}

export function pinnedImageProblems(type: string, props: Record<string, unknown>): string[] {
    return workloadsOf(type, props).flatMap((workload) =>
        workload.containers.flatMap((c) => {
            const problem = imageProblem(c);
            return problem ? [`${workload.kind} ${c.label} (${c.path}.image): ${problem}`] : [];
        }),
    );
}

export const pinnedImages: ResourceValidationPolicy = {
    name: pinnedImagesPolicyName,
    description:
        "Every container image of every pod-bearing resource (Kubernetes workloads and Argo workflow templates) is " +
        "pinned by a version tag or a digest; ':latest' and untagged images are not allowed.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["kubernetes", "argo", "supply-chain"],
    remediationSteps:
        "Reference the image by an explicit version tag (e.g. python:3.12.8-slim), ideally together with its digest " +
        "(python:3.12.8-slim@sha256:...). Images built by the program are tagged by content hash or by " +
        "<env>-1.0.<version>; pass that tag in. For an image taken from an Argo parameter, give the parameter a " +
        "pinned default or value.",
    validateResource: (args, reportViolation) => {
        for (const problem of pinnedImageProblems(args.type, args.props)) reportViolation(problem);
    },
};
