/**
 * Every pinned version the program deploys, in one place. The Python requirement files
 * that must agree with these (MLflow on both sides of the model hand-off) are checked
 * against this file by test/unit/versions.test.ts.
 */

/** MLflow: the tracking server image, the training image and the build step's download. */
export const mlflowVersion = "3.17.2";

/** K3s release installed on Chameleon nodes (stack config may override). */
export const k3sVersion = "v1.33.5+k3s1";

/** Argo Workflows: the controller and server install, the CRDs the e2e cluster loads, `argo lint`. */
export const argoWorkflowsVersion = "v3.7.9";

/** Argo CD: install manifest and the Application CRD. */
export const argoCdVersion = "v3.5.7";

/** Argo Events: installed only when the stack turns it on (GitHub webhook trigger, reference only). */
export const argoEventsVersion = "v1.9.10";

/**
 * Container images the platform layer runs, each pinned by tag and digest. The tag says
 * what it is to a reader; the digest is what the node actually pulls.
 */
export const platformImages = {
    registry: "docker.io/library/registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373",
    postgres: "docker.io/library/postgres:16.9-alpine@sha256:7c688148e5e156d0e86df7ba8ae5a05a2386aaec1e2ad8e6d11bdf10504b1fb7",
    minio: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z@sha256:a1ea29fa28355559ef137d71fc570e508a214ec84ff8083e39bc5428980b015e",
    minioClient: "quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z@sha256:aead63c77f9db9107f1696fb08ecb0faeda23729cde94b0f663edf4fe09728e3",
    kanikoExecutor: "gcr.io/kaniko-project/executor:v1.23.2@sha256:9e69fd4330ec887829c780f5126dd80edc663df6def362cd22e79bcdf00ac53f",
} as const;
