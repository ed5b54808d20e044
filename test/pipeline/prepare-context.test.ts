/**
 * The build step's model hand-off, run for real: the training entry point registers a model
 * version in a real MLflow server, then the prepare-context script exactly as the
 * build-container-image template carries it downloads that version into a build context.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateImageEnv, model } from "../../vocabulary/names";
import { prepareContextTemplate } from "../../pipeline/templates/image-build-steps";
import type { PipelineSettings } from "../../pipeline/templates/settings";
import { type LocalMlflow, startMlflow } from "../support/mlflow-server";
import { repoRoot } from "../support/program";

const python = path.join(repoRoot, ".venv", "bin", "python");
const trainDir = path.join(repoRoot, "pipeline", "images", "train");

let mlflow: LocalMlflow;
let work: string;

beforeAll(async () => {
    mlflow = await startMlflow();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "prepare-context-"));
}, 180_000);
afterAll(async () => {
    await mlflow?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

function train(scenario: string, seed: number): string {
    const versionFile = path.join(work, `version-${scenario}-${seed}`);
    const result = spawnSync(python, ["-m", "gourmetgram_train", "--scenario", scenario, "--seed", String(seed), "--version-file", versionFile], {
        cwd: trainDir,
        env: { ...process.env, [gateImageEnv.mlflowTrackingUri]: mlflow.url, MLFLOW_DISABLE_TELEMETRY: "true" },
        encoding: "utf8",
        timeout: 240_000,
    });
    expect(result.status, result.stderr).toBe(0);
    return fs.readFileSync(versionFile, "utf8").trim();
}

/** A seed whose simulated accuracy clears the threshold, so the run registers a version. */
function passingSeed(): number {
    const script = "from gourmetgram_train.simulated import ACCURACY_THRESHOLD as t, simulated_accuracy as a\nprint(next(s for s in range(1000) if a(s) >= t))";
    const result = spawnSync(python, ["-c", script], { cwd: trainDir, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    return Number(result.stdout.trim());
}

function prepareContext(version: string, appSource: string, contextDir: string) {
    const template = prepareContextTemplate({ images: { train: "train" }, appCodeSource: { repoUrl: "x", revision: "main" } } as unknown as PipelineSettings);
    const script = template.script!;
    const env = Object.fromEntries(script.env!.map((variable) => [variable.name, variable.value ?? ""]));
    return spawnSync(python, ["-c", script.source!], {
        env: {
            ...process.env,
            ...env,
            [gateImageEnv.mlflowTrackingUri]: mlflow.url,
            MODEL_VERSION: version,
            SOURCE_DIR: appSource,
            CONTEXT_DIR: contextDir,
            MLFLOW_DISABLE_TELEMETRY: "true",
        },
        encoding: "utf8",
        timeout: 120_000,
    });
}

describe("prepare-context against a version the training image registered", () => {
    it("puts the registered food11.pth, byte for byte, and versions.txt next to the app source", () => {
        const version = train("normal", passingSeed());
        expect(version).toMatch(/^\d+$/);

        const appSource = path.join(work, "app");
        fs.mkdirSync(path.join(appSource, ".git"), { recursive: true });
        fs.writeFileSync(path.join(appSource, "Dockerfile"), "FROM python:3.11-slim\n");
        const contextDir = path.join(work, "context");
        const result = prepareContext(version, appSource, contextDir);
        expect(result.status, result.stderr).toBe(0);

        const weights = fs.readFileSync(path.join(contextDir, model.file));
        const tags = spawnSync(python, ["-c", `from mlflow import MlflowClient; print(MlflowClient().get_model_version(${JSON.stringify(model.name)}, ${JSON.stringify(version)}).tags[${JSON.stringify(model.sha256Tag)}])`], {
            env: { ...process.env, [gateImageEnv.mlflowTrackingUri]: mlflow.url },
            encoding: "utf8",
        });
        expect(crypto.createHash("sha256").update(weights).digest("hex")).toBe(tags.stdout.trim());
        expect(fs.readFileSync(path.join(contextDir, "versions.txt"), "utf8")).toBe(`${version}\n`);
        expect(fs.existsSync(path.join(contextDir, "Dockerfile"))).toBe(true);
        expect(fs.existsSync(path.join(contextDir, ".git"))).toBe(false);
    }, 300_000);

    it("refuses a version that is not a number, and one that does not exist", () => {
        const contextDir = path.join(work, "context-bad");
        const appSource = path.join(work, "app-empty");
        fs.mkdirSync(appSource, { recursive: true });
        const notNumber = prepareContext("latest", appSource, contextDir);
        expect(notNumber.status).not.toBe(0);
        expect(notNumber.stderr).toContain("MODEL_VERSION must be a registered model version number, got 'latest'");
        const missing = prepareContext("999", appSource, contextDir);
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST|not found/i);
    }, 120_000);
});
