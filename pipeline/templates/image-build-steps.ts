import type { WorkflowSpec } from "./argo-types";

type WorkflowVolumeClaim = NonNullable<WorkflowSpec["volumeClaimTemplates"]>[number];
import { appImage, model, type Environment } from "../../vocabulary/names";
import type { Template } from "./argo-types";
import { environmentLocks, mlflowEnvironment, retryIdempotentFetch, retryInfrastructureErrors } from "./common";
import { restrictedSecurityContext } from "../../infra/platform/common/security";
import { buildkitdConfigMapName, imageBuilderContainer, imageBuilderVolumes } from "../../infra/platform/image-build/builder";
import { param } from "./parameterized";
import type { PipelineSettings } from "./settings";
import { withoutApiToken } from "./without-api-token";

/** The per-workflow volume that carries the build context from one step to the next. */
export const workspaceVolume = "workspace";
const workspaceMount = "/workspace";
export const contextDir = `${workspaceMount}/context`;
const sourceDir = "/src/app";

export function workspaceClaim(): WorkflowVolumeClaim {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: workspaceVolume },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
    };
}

/**
 * Copies the app source (checked out by Argo's git artifact), downloads the model version's
 * food11.pth from MLflow, checks it against the sha256 training recorded on the version, and
 * writes versions.txt. `models:/<name>/<version>/<file>` is resolved by the MLflow client, so
 * only the file the app loads is fetched, wherever the pinned MLflow keeps it.
 */
const prepareContextScript = `
import hashlib, os, pathlib, re, shutil, sys, tempfile
from mlflow import MlflowClient
from mlflow.artifacts import download_artifacts

name, version, file_name = os.environ["MODEL_NAME"], os.environ["MODEL_VERSION"], os.environ["MODEL_FILE"]
if not re.fullmatch(r"[0-9]+", version):
    sys.exit(f"MODEL_VERSION must be a registered model version number, got {version!r}")
context = pathlib.Path(os.environ["CONTEXT_DIR"])
if context.exists():
    shutil.rmtree(context)
shutil.copytree(os.environ["SOURCE_DIR"], context, ignore=shutil.ignore_patterns(".git"))

expected = MlflowClient().get_model_version(name, version).tags.get(os.environ["MODEL_SHA256_TAG"])
if not expected:
    sys.exit(f"{name} version {version} has no {os.environ['MODEL_SHA256_TAG']} tag; it was not registered by the training image")
uri = f"models:/{name}/{version}/{file_name}"
with tempfile.TemporaryDirectory() as tmp:
    local = pathlib.Path(download_artifacts(artifact_uri=uri, dst_path=tmp))
    digest = hashlib.sha256(local.read_bytes()).hexdigest()
    if digest != expected:
        sys.exit(f"{uri}: sha256 {digest} does not match the registered {expected}")
    shutil.copyfile(local, context / file_name)

(context / "versions.txt").write_text(version + "\\n")
print(f"build context ready: {uri} (sha256 {digest}) -> {context / file_name}")
`;

export function prepareContextTemplate(settings: PipelineSettings): Template {
    return {
        name: "prepare-context",
        inputs: {
            parameters: [{ name: "model-version" }],
            artifacts: [
                {
                    name: "app-source",
                    path: sourceDir,
                    git: { repo: settings.appCodeSource.repoUrl, revision: settings.appCodeSource.revision, depth: 1 },
                },
            ],
        },
        retryStrategy: retryIdempotentFetch,
        activeDeadlineSeconds: 900,
        ...withoutApiToken,
        script: {
            name: "main",
            image: settings.images.train,
            command: ["python"],
            source: prepareContextScript,
            env: [
                ...mlflowEnvironment(),
                { name: "MODEL_NAME", value: model.name },
                { name: "MODEL_FILE", value: model.file },
                { name: "MODEL_SHA256_TAG", value: model.sha256Tag },
                { name: "MODEL_VERSION", value: param.input("model-version") },
                { name: "SOURCE_DIR", value: sourceDir },
                { name: "CONTEXT_DIR", value: contextDir },
            ],
            volumeMounts: [{ name: workspaceVolume, mountPath: workspaceMount }],
            resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
            securityContext: restrictedSecurityContext({ readOnlyRootFilesystem: false }),
        },
    };
}

/**
 * BuildKit builds the context (infra/platform/image-build/builder.ts) and pushes one tag per
 * environment given, with the registry cache beside them (`<repo>:buildcache`), so a new model
 * rebuilds only its own layers. `locks` are the environments' mutexes the push takes itself, so
 * a rebuild of version N cannot replace `<env>-1.0.N` while a release step holds that
 * environment (test-staging holds staging's from its deploy to its verdict). A workflow that
 * already holds them at workflow level passes none: Argo would make the step wait for its own
 * workflow.
 */
export function buildImageTemplate(settings: PipelineSettings, envs: readonly Environment[], locks: readonly Environment[]): Template {
    const version = param.input("model-version");
    return {
        name: "build-image",
        inputs: { parameters: [{ name: "model-version" }] },
        ...(locks.length > 0 ? environmentLocks(locks) : {}),
        retryStrategy: retryInfrastructureErrors,
        activeDeadlineSeconds: settings.deadlines.buildSeconds,
        ...withoutApiToken,
        container: imageBuilderContainer({
            name: "main",
            image: settings.images.imageBuilder,
            contextDir,
            dockerfile: "Dockerfile",
            images: envs.map((env) => appImage(env, version)),
            contextMount: { name: workspaceVolume, mountPath: workspaceMount, readOnly: true },
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "3Gi" } },
            nodeProfiles: settings.nodeProfiles,
        }),
        // The ConfigMap is the Pipeline component's (pipeline/component.ts).
        volumes: imageBuilderVolumes(buildkitdConfigMapName),
    };
}
