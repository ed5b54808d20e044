/**
 * `npm run bench:pipeline`: on the lab `npm run lab:local` stood up, the time from
 * `argo submit train-model` to canary serving the new version, split by step, for two good
 * models in a row. The first build of a lab fills the registry cache; the second shows what each
 * new model costs. Also prints how many of the app image's layers the two builds share (only the
 * layer with the model should differ). Measures; asserts nothing.
 *
 *   GOURMETGRAM_CLUSTER_DIR=<dir>   the lab's directory, as for lab:local (default .cache/cluster)
 *   BENCH_RUNS=3                    models to train (default 2)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../test/e2e/harness/process";
import { findClusterToolchain } from "../test/cluster/harness/tools";
import { clusterNetwork } from "../test/cluster/harness/network";
import { registryMirrorEndpoint } from "../test/cluster/harness/containerd";
import { evaluationSeeds } from "../test/cluster/harness/training-seeds";
import { registryAuthHeaders, type RegistryLogin } from "../test/cluster/harness/registry-images";
import { describeWorkflow, followTrainModel, node, requirePhase, secondsOf, Workflows, type WorkflowCluster } from "../test/cluster/harness/workflows";
import { testStagingSteps as steps } from "../pipeline/templates/test-staging";
import { appImageTag, appName, environmentPorts } from "../vocabulary/names";
import { root } from "./tools";

const runs = Number(process.env.BENCH_RUNS ?? "2");
const labDir = path.resolve(process.env.GOURMETGRAM_CLUSTER_DIR ?? path.join(root, ".cache", "cluster"), "run");

async function canaryServes(version: string): Promise<boolean> {
    try {
        const response = await fetch(`http://${clusterNetwork.nodeIp}:${environmentPorts.canary}/version`, { signal: AbortSignal.timeout(5_000) });
        return ((await response.json()) as { model_version?: string }).model_version === version;
    } catch {
        return false;
    }
}

async function layers(tag: string, login: RegistryLogin | undefined): Promise<string[]> {
    const response = await fetch(`${registryMirrorEndpoint()}/v2/${appName}/manifests/${tag}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json", ...registryAuthHeaders(login) },
        signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`registry: ${appName}:${tag}: HTTP ${response.status}`);
    return ((await response.json()) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest);
}

async function main(): Promise<void> {
    const lookup = findClusterToolchain();
    if (!lookup.ok) throw new Error(lookup.problem);
    const kubeconfig = path.join(labDir, "control-plane", "kubeconfig");
    if (!fs.existsSync(path.join(labDir, "lab-outputs.json")) || !fs.existsSync(kubeconfig)) {
        throw new Error(`no lab in ${labDir}: start one with npm run lab:local (and GOURMETGRAM_CLUSTER_DIR if it lives elsewhere)`);
    }
    const cluster: WorkflowCluster = {
        kubeconfig,
        kubectl: (args, options = {}) => run(lookup.tools.kubectl, ["--kubeconfig", kubeconfig, ...args], { input: options.input, timeoutMs: options.timeoutMs ?? 60_000 }),
    };
    const workflows = new Workflows(cluster, lookup.tools.argo);
    const seed = evaluationSeeds().passing;
    const columns = ["train", "prepare-context", "build-image", steps.rollOut, steps.resources, steps.integration, steps.load, steps.markGood, steps.promote];
    const rows: Array<{ version: string; toCanary: number; steps: Array<number | undefined> }> = [];

    for (let i = 0; i < runs; i++) {
        const submitted = Date.now();
        const pipeline = await followTrainModel(workflows, { scenario: "normal", seed }, 45 * 60_000);
        requirePhase(pipeline.testStaging, "Succeeded", pipeline.train, pipeline.build);
        const version = pipeline.version!;
        while (!(await canaryServes(version))) {
            if (Date.now() - submitted > 60 * 60_000) throw new Error(`canary never served v${version}:\n${describeWorkflow(pipeline.testStaging)}`);
            await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
        const toCanary = (Date.now() - submitted) / 1000;
        const byStep = [node(pipeline.train, "train"), node(pipeline.build!, "prepare-context"), node(pipeline.build!, "build-image")];
        byStep.push(...columns.slice(3).map((step) => node(pipeline.testStaging!, step)));
        rows.push({ version, toCanary, steps: byStep.map(secondsOf) });
        console.log(`run ${i + 1}: v${version} on canary ${Math.round(toCanary)} s after submit`);
    }

    console.log(`\n| run | version | submit to canary serving it (s) | ${columns.join(" | ")} |`);
    console.log(`|${" --- |".repeat(columns.length + 3)}`);
    rows.forEach((row, i) => console.log(`| ${i + 1} | ${row.version} | ${Math.round(row.toCanary)} | ${row.steps.map((s) => s ?? "?").join(" | ")} |`));
    if (rows.length >= 2) {
        const [first, last] = [rows[0], rows[rows.length - 1]];
        const buildAt = columns.indexOf("build-image");
        const ratio = (last.steps[buildAt] ?? NaN) / (first.steps[buildAt] ?? NaN);
        console.log(`\nbuild-image, run ${rows.length} against run 1: ${ratio.toFixed(2)}x`);
        const login = (JSON.parse(fs.readFileSync(path.join(labDir, "lab-outputs.json"), "utf8")) as { registryLogin?: RegistryLogin }).registryLogin;
        const [a, b] = [await layers(appImageTag("staging", first.version), login), await layers(appImageTag("staging", last.version), login)];
        const shared = a.filter((digest, i) => b[i] === digest).length;
        console.log(`app image layers: ${b.length}, shared with run 1's image: ${shared} (all but the model's: ${shared === b.length - 1 ? "yes" : "no"})`);
    }
}

main().catch((error: Error) => {
    console.error(`bench:pipeline: ${error.message}`);
    process.exit(1);
});
