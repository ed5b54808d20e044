/**
 * Every pinned version the program deploys, in one place. The Python requirement files
 * that must agree with these (MLflow on both sides of the model hand-off) are checked
 * against this file by test/unit/versions.test.ts.
 */

/** MLflow: the tracking server image, the training image and the build step's download. */
export const mlflowVersion = "3.17.2";

/** K3s release installed on Chameleon nodes (stack config may override). */
export const k3sVersion = "v1.33.5+k3s1";

/**
 * Per K3s release: sha256 of `install.sh` at the release tag and of the amd64 binary `k3s`
 * (the release's sha256sum-amd64.txt). The nodes check both before running either. No entry
 * is invented: a release missing here needs `gourmetgram:k3sInstallerSha256` and
 * `gourmetgram:k3sBinarySha256` in the stack config, or the install stops before it starts.
 * (The machine that pinned the versions above could not reach GitHub's release assets.)
 */
export const k3sReleaseSha256: Readonly<Record<string, { readonly installer: string; readonly binaryAmd64: string }>> = {};

/** Argo Workflows: the controller and server install, the CRDs the e2e cluster loads, `argo lint`. */
export const argoWorkflowsVersion = "v3.7.9";

/** Argo CD: install manifest and the Application CRD. */
export const argoCdVersion = "v3.5.7";

/** Argo Events: installed only when the stack turns it on (GitHub webhook trigger, reference only). */
export const argoEventsVersion = "v1.9.10";

/**
 * sha256 of the install manifest of each version above, checked on every download before
 * anything in it is read (infra/platform/argo/manifest-source.ts). Argo CD's and Argo Events'
 * are `manifests/install.yaml` at the release tag, taken from the Go modules of those tags (the
 * proxy's copy, checked against the Go checksum database). Argo Workflows keeps no install.yaml
 * in its tree; its release asset is built by `make manifests` (kustomize over
 * manifests/cluster-install, a header line, `:latest` set to the tag), and this is that build
 * repeated from the v3.7.9 module with kustomize v5.6.0. None could be compared with the
 * download itself from the machine that pinned them (no route to GitHub).
 */
export const installManifestSha256 = {
    argoWorkflows: "baf9aaee0cf25c942db1bab1c699879172c1a27a4f116a5562bb4319f269b4c0",
    argoCd: "09bfbb9041b4a8503c6e4fa22cf41c403fa62be17526de353648a4551f5beb77",
    argoEvents: "6827aa11940258dec239780947b05f1578627b433b5f5628fac143a9af92947a",
} as const;

/**
 * Container images the platform layer runs, each pinned by tag and digest. The tag says
 * what it is to a reader; the digest is what the node actually pulls.
 */
export const platformImages = {
    registry: "docker.io/library/registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373",
    postgres: "docker.io/library/postgres:16.9-alpine@sha256:7c688148e5e156d0e86df7ba8ae5a05a2386aaec1e2ad8e6d11bdf10504b1fb7",
    minio: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z@sha256:a1ea29fa28355559ef137d71fc570e508a214ec84ff8083e39bc5428980b015e",
    minioClient: "quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z@sha256:aead63c77f9db9107f1696fb08ecb0faeda23729cde94b0f663edf4fe09728e3",
    /**
     * Upstream's rootful BuildKit (buildkitd, buildctl, runc as buildkit-runc, util-linux's
     * unshare): the in-cluster image builds (infra/platform/image-build/builder.ts). The digest
     * is the multi-arch index's.
     */
    buildkit: "docker.io/moby/buildkit:v0.34.0@sha256:b059f8d7226d0b326bc871af489a5dddf65e36af4d20d14251b072974d9ee87c",
} as const;
