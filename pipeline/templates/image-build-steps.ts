import type { WorkflowSpec } from "./argo-types";

type WorkflowVolumeClaim = NonNullable<WorkflowSpec["volumeClaimTemplates"]>[number];
import { appImage, gateImageEnv, mlflow, model, type Environment } from "../../infra/names";
import type { Template } from "./argo-types";
import { retryIdempotentFetch, retryInfrastructureErrors } from "./common";
import { param } from "./parameterized";
import type { PipelineSettings } from "./settings";

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
 * weights from MLflow as food11.pth and writes versions.txt. `models:/<name>/<version>` is
 * resolved by the MLflow client itself, so the download is right for whichever artifact
 * layout the pinned MLflow uses (run artifacts or MLflow 3 logged models).
 */
const prepareContextScript = `
import os, pathlib, re, shutil, sys, tempfile
import yaml
from mlflow.artifacts import download_artifacts

version = os.environ["MODEL_VERSION"]
if not re.fullmatch(r"[0-9]+", version):
    sys.exit(f"MODEL_VERSION must be a registered model version number, got {version!r}")
context = pathlib.Path(os.environ["CONTEXT_DIR"])
if context.exists():
    shutil.rmtree(context)
shutil.copytree(os.environ["SOURCE_DIR"], context, ignore=shutil.ignore_patterns(".git"))

with tempfile.TemporaryDirectory() as tmp:
    uri = f"models:/{os.environ['MODEL_NAME']}/{version}"
    local = pathlib.Path(download_artifacts(artifact_uri=uri, dst_path=tmp))
    spec = yaml.safe_load((local / "MLmodel").read_text())
    flavor = (spec.get("flavors") or {}).get("pytorch")
    if not flavor:
        sys.exit(f"{uri} has no pytorch flavor; flavors: {sorted((spec.get('flavors') or {}).keys())}")
    weights = local / flavor.get("model_data", "data") / "model.pth"
    if not weights.is_file():
        found = sorted(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file())
        sys.exit(f"{uri}: expected {weights.relative_to(local)}, found {found}")
    shutil.copyfile(weights, context / "food11.pth")

(context / "versions.txt").write_text(version + "\\n")
print(f"build context ready: {uri} -> {context / 'food11.pth'}")
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
                    git: { repo: settings.appSource.gitUrl, revision: settings.appSource.revision, depth: 1 },
                },
            ],
        },
        retryStrategy: retryIdempotentFetch,
        activeDeadlineSeconds: 900,
        script: {
            name: "main",
            image: settings.images.train,
            command: ["python"],
            source: prepareContextScript,
            env: [
                { name: gateImageEnv.mlflowTrackingUri, value: mlflow.url },
                { name: "MODEL_NAME", value: model.name },
                { name: "MODEL_VERSION", value: param.input("model-version") },
                { name: "SOURCE_DIR", value: sourceDir },
                { name: "CONTEXT_DIR", value: contextDir },
            ],
            volumeMounts: [{ name: workspaceVolume, mountPath: workspaceMount }],
            resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
        },
    };
}

/** Kaniko builds the context in an unprivileged pod and pushes one tag per environment given. */
export function buildImageTemplate(settings: PipelineSettings, envs: readonly Environment[]): Template {
    const version = param.input("model-version");
    return {
        name: "build-image",
        inputs: { parameters: [{ name: "model-version" }] },
        retryStrategy: retryInfrastructureErrors,
        activeDeadlineSeconds: settings.deadlines.buildSeconds,
        container: {
            name: "main",
            image: settings.images.kaniko,
            args: [
                `--context=dir://${contextDir}`,
                `--dockerfile=${contextDir}/Dockerfile`,
                ...envs.map((env) => `--destination=${appImage(env, version)}`),
                // The in-cluster registry speaks plain HTTP inside the cluster network.
                "--insecure",
                "--snapshot-mode=redo",
                "--push-retry=2",
            ],
            volumeMounts: [{ name: workspaceVolume, mountPath: workspaceMount }],
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "3Gi" } },
        },
    };
}
