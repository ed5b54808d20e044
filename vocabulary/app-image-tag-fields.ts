/**
 * Where an environment's image tag lives in its Argo CD Application. The chart reads the Helm
 * value `image.tag`; deploys, promotions and reverts write it in both places the Application can
 * carry it, and Pulumi, which creates the Application, ignores exactly those places afterwards.
 * The gate CLI builds its patch from these paths and infra its `ignoreChanges`, so the two
 * cannot drift apart.
 */

/** The Helm value that selects the image's tag. */
export const appImageTagValuePath = ["image", "tag"] as const;

/** The same value as a Helm parameter name (`--set image.tag=…`). */
export const appImageTagParameter = appImageTagValuePath.join(".");

const applicationHelm = ["spec", "source", "helm"] as const;

/** The Application fields the pipeline owns, as object paths. */
export const pipelineOwnedApplicationFields = {
    /** The Helm parameter list, written whole: a merge patch replaces a list, it cannot edit one entry. */
    helmParameters: [...applicationHelm, "parameters"],
    /** The tag inside `valuesObject`. */
    valuesImageTag: [...applicationHelm, "valuesObject", ...appImageTagValuePath],
} as const;

/** The same fields as Pulumi property paths, for `ignoreChanges`. */
export function pipelineOwnedApplicationPropertyPaths(): string[] {
    return Object.values(pipelineOwnedApplicationFields).map((path) => path.join("."));
}
