/**
 * The one explicit table from each image reference the program renders to the image built on
 * this machine that runs in its place on the one-node cluster (scripts/toolchain/images.d; the
 * names are images.json's). Nothing can be pulled from a public registry here, and a locally
 * built image can never carry the product's digest, so the harness maps each reference by this
 * table; a reference without a row is an error naming it, never a silent pull.
 * `why` says how the stand-in differs from the product's image, where it does.
 */
import { argoCdVersion, argoWorkflowsVersion, platformImages } from "../../../vocabulary/versions";
import { registry } from "../../../vocabulary/names";
import { buildContext, contentTag } from "../../../infra/platform/image-build/context";
import { imageReference } from "../../../infra/platform/image-build/manifests";
import { mlflowImageContext } from "../../../infra/platform/mlflow";

export interface LocalImage {
    /** The image's name in images.json. */
    readonly local: string;
    /** How it differs from the product's image (version, base), when it does. */
    readonly why?: string;
}

/**
 * The MLflow server as the program names it when it does not build it (imageBuildsEnabled
 * off, as on the local stack): the registry reference of its build context's content tag.
 */
export const mlflowServerBuild = imageReference(registry.host, "mlflow-server", contentTag(buildContext(mlflowImageContext, "Dockerfile").digest));

/** Argo Workflows' images as its install manifest names them (and the controller names its executor). */
export const argoWorkflowsImages = {
    server: `quay.io/argoproj/argocli:${argoWorkflowsVersion}`,
    controller: `quay.io/argoproj/workflow-controller:${argoWorkflowsVersion}`,
    executor: `quay.io/argoproj/argoexec:${argoWorkflowsVersion}`,
} as const;

/** Argo CD's images as its install manifest names them (the lab installs it without Dex). */
export const argoCdImages = {
    argocd: `quay.io/argoproj/argocd:${argoCdVersion}`,
    redis: "public.ecr.aws/docker/library/redis:8.2.3-alpine",
} as const;

const builtWithoutUi = "built from github.com/argoproj/argo-workflows/v3 at the pinned version; its web UI is a placeholder page (the module holds no UI bundle)";

export const localImages: Record<string, LocalImage> = {
    [argoWorkflowsImages.server]: { local: "argo-server", why: `the argo CLI run as \`argo server\`, ${builtWithoutUi}` },
    [argoWorkflowsImages.controller]: { local: "workflow-controller", why: "built from github.com/argoproj/argo-workflows/v3 at the pinned version, FROM scratch" },
    [argoWorkflowsImages.executor]: {
        local: "argoexec",
        why: "built from github.com/argoproj/argo-workflows/v3 at the pinned version, static, FROM scratch; the harness passes it to the controller as --executor-image",
    },
    [argoCdImages.argocd]: {
        local: "argocd",
        why:
            "built from github.com/argoproj/argo-cd/v3 at the pinned version with the gitops-engine of v3.5.3, the newest the module proxy serves " +
            "(scripts/toolchain/build-argo-cd.sh says what that leaves out), and a placeholder page for the web UI; Debian 12's git, gpg and OpenSSH " +
            "in place of Ubuntu's, the bundled helm built here, no kustomize or git-lfs",
    },
    [argoCdImages.redis]: {
        local: "redis",
        why:
            "Debian 12's redis-server 7.0.15 (the manifest pins redis 8.2.3 on Alpine): Debian ships no 8. Argo CD uses it as a password-protected " +
            "cache; the manifest's options mean the same in both",
    },
    [platformImages.postgres]: {
        local: "postgres",
        why:
            "Debian 12's PostgreSQL 15 (the official image is Alpine's PostgreSQL 16.9): Debian ships no 16. " +
            "The lab starts from an empty volume and uses no 16-only feature; the entrypoint keeps the official image's contract the program relies on",
    },
    [platformImages.registry]: {
        local: "registry",
        why: "Debian 12's docker-registry 2.8.2, the Distribution registry one patch release before the pinned 2.8.3, with the pinned image's configuration",
    },
    [platformImages.minio]: {
        local: "minio",
        why:
            "MinIO built from github.com/minio/minio at v0.0.0-20260212201848-7aac2a2c5b7c: the module proxy does not serve the pinned " +
            "RELEASE.2025-04-22T22-12-26Z, only this later commit",
    },
    [platformImages.minioClient]: {
        local: "mc",
        why:
            "mc built from github.com/minio/mc at v0.0.0-20250313080218-cf909e1063a9 with busybox as its shell: the module proxy does not serve " +
            "the pinned RELEASE.2025-04-16T18-13-26Z, only this earlier commit",
    },
    [platformImages.buildkit]: {
        local: "image-builder",
        why:
            "buildkitd and buildctl built from github.com/moby/buildkit at the pinned release, in a Debian 12 rootfs instead of Alpine: " +
            "Debian's runc 1.1.5 as /usr/bin/buildkit-runc (upstream builds runc v1.5.2) and util-linux 2.38's unshare " +
            "instead of Alpine 3.23's, which as root maps the build's ids only through newuidmap and newgidmap, so the stand-in adds uidmap " +
            "and root's range to /etc/subuid and /etc/subgid (upstream's 2.41 writes the maps itself); the image build's script finds " +
            "/bin/sh, unshare, tar, buildkitd and buildctl at the same paths in both",
    },
    [mlflowServerBuild]: {
        local: "mlflow-server",
        why:
            "Debian 12's Python 3.11 with the Dockerfile's packages from PyPI, hash-pinned, instead of python:3.11-slim-bookworm; the same uid and entrypoint. " +
            "SQLAlchemy is held below 2.1: 2.1's postgresql:// loads psycopg 3, which neither image installs (the Dockerfile does not pin it and has the same gap)",
    },
};

/** The local image that stands in for `reference`, or an error naming it and what the table holds. */
export function localImageFor(reference: string): LocalImage {
    const row = Object.hasOwn(localImages, reference) ? localImages[reference] : undefined;
    if (row === undefined) {
        throw new Error(
            `no locally built image stands in for ${reference}: add a row to test/cluster/harness/local-images.ts ` +
                `(and a recipe to scripts/toolchain/images.d); the table maps ${Object.keys(localImages).join(", ")}`,
        );
    }
    return row;
}
