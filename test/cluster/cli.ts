/**
 * The one-node cluster for people (scripts/cluster/up.sh, down.sh): `tsx test/cluster/cli.ts
 * up DIR` starts it with its files under DIR, prints each step, then `ready`, the kubeconfig
 * path and each component's memory, and keeps it running until SIGTERM or SIGINT, when it
 * stops everything it started and puts the machine back as it found it.
 *
 * `lab DIR` (npm run lab:local) does the same, then stands the lab on it: `pulumi up` of
 * stacks/Pulumi.local.yaml with the git server and load-balancer addresses it needs (harness/
 * lab.ts), prints `lab ready`, the URLs and where the stack's outputs (logins) are, and keeps
 * all of it running until the signal.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startNodeCluster, type NodeCluster } from "./harness/cluster";
import { labNeedsFreeBytes, publishPipelineImages, startLab, type Lab } from "./harness/lab";
import type { RegistryLogin } from "./harness/registry-images";
import { namespaces } from "../../vocabulary/names";
import { labImageLookup } from "./harness/lab-images";
import { findClusterToolchain, type ClusterToolchain } from "./harness/tools";

function rssMiB(pid: number | undefined): string {
    try {
        const kib = Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
        return `${Math.round(kib / 1024)} MiB`;
    } catch {
        return "gone";
    }
}

/** Stands the lab on the cluster and writes the stack's outputs (secrets included) to DIR/lab-outputs.json, readable by root only. */
async function standLab(tools: ClusterToolchain, cluster: NodeCluster, dir: string, seconds: () => string): Promise<Lab> {
    console.log(`lab: git servers, load-balancer addresses, pulumi up of stack local (${seconds()})`);
    const lab = await startLab(tools, cluster, { ...labImageLookup(tools), dir: path.join(dir, "git") });
    const result = await lab.engine.stack.up({
        onEvent: (event) => {
            const step = event.resOutputsEvent?.metadata;
            if (step && step.op !== "same") console.log(`lab: ${step.op} ${step.type} ${step.urn.split("::").pop()} (${seconds()})`);
        },
    });
    console.log(`lab: pushing the pipeline's images to the in-cluster registry (${seconds()})`);
    await publishPipelineImages(tools, cluster, result.outputs.registryLogin?.value as RegistryLogin | undefined);
    const outputsFile = path.join(dir, "lab-outputs.json");
    const values = Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.value]));
    fs.writeFileSync(outputsFile, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    console.log(`lab ready in ${seconds()}: KUBECONFIG=${cluster.kubeconfig}`);
    for (const [name, url] of Object.entries(values.urls as Record<string, string>)) console.log(`  ${name}: ${url}`);
    console.log(`  logins (MLflow admin, Argo CD admin, Argo Workflows token): ${outputsFile}`);
    console.log(`  try: KUBECONFIG=${cluster.kubeconfig} kubectl -n argocd get applications`);
    console.log(`  train: KUBECONFIG=${cluster.kubeconfig} ${tools.argo} submit -n ${namespaces.workflows} --from workflowtemplate/train-model -p scenario=normal --watch`);
    return lab;
}

async function up(dir: string, withLab: boolean): Promise<void> {
    const lookup = findClusterToolchain();
    if (!lookup.ok) throw new Error(lookup.problem);
    const started = Date.now();
    const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
    const cluster = await startNodeCluster(lookup.tools, {
        workDir: path.resolve(dir),
        // A lab runs the pipeline's models, the oversized one too; a bare cluster needs far less.
        ...(withLab ? { needsFreeBytes: labNeedsFreeBytes } : {}),
        progress: (step) => console.log(`cluster: ${step} (${seconds()})`),
    });
    console.log(`ready in ${seconds()}: KUBECONFIG=${cluster.kubeconfig}`);
    let lab: Lab | undefined;
    if (withLab) {
        try {
            lab = await standLab(lookup.tools, cluster, path.resolve(dir), seconds);
        } catch (error) {
            console.error(`lab: ${(error as Error).message}`);
            await cluster.stop();
            process.exit(1);
        }
    }
    for (const d of cluster.daemons()) console.log(`  ${d.name} pid ${d.child.pid}: RSS ${rssMiB(d.child.pid)}`);

    let stopping = false;
    const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`cluster: ${signal}, stopping`);
        await lab?.stop();
        const problems = await cluster.stop();
        for (const p of problems) console.error(`cluster: left behind: ${p}`);
        console.log(problems.length === 0 ? "stopped; the machine is as it was" : "stopped, with the problems above");
        process.exit(problems.length === 0 ? 0 : 1);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
    // Keeps the event loop alive until a signal arrives.
    setInterval(() => undefined, 60_000);
}

const [command, dir] = process.argv.slice(2);
if ((command !== "up" && command !== "lab") || !dir) {
    console.error("usage: tsx test/cluster/cli.ts up|lab DIR");
    process.exit(2);
}
up(dir, command === "lab").catch((error: Error) => {
    console.error(`cluster: ${error.message}`);
    process.exit(1);
});
