/**
 * The one-node cluster for people (scripts/cluster/up.sh, down.sh): `tsx test/cluster/cli.ts
 * up DIR` starts it with its files under DIR, prints each step, then `ready`, the kubeconfig
 * path and each component's memory, and keeps it running until SIGTERM or SIGINT, when it
 * stops everything it started and puts the machine back as it found it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startNodeCluster } from "./harness/cluster";
import { findClusterToolchain } from "./harness/tools";

function rssMiB(pid: number | undefined): string {
    try {
        const kib = Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
        return `${Math.round(kib / 1024)} MiB`;
    } catch {
        return "gone";
    }
}

async function up(dir: string): Promise<void> {
    const lookup = findClusterToolchain();
    if (!lookup.ok) throw new Error(lookup.problem);
    const started = Date.now();
    const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
    const cluster = await startNodeCluster(lookup.tools, {
        workDir: path.resolve(dir),
        progress: (step) => console.log(`cluster: ${step} (${seconds()})`),
    });
    console.log(`ready in ${seconds()}: KUBECONFIG=${cluster.kubeconfig}`);
    for (const d of cluster.daemons()) console.log(`  ${d.name} pid ${d.child.pid}: RSS ${rssMiB(d.child.pid)}`);

    let stopping = false;
    const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`cluster: ${signal}, stopping`);
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
if (command !== "up" || !dir) {
    console.error("usage: tsx test/cluster/cli.ts up DIR");
    process.exit(2);
}
up(dir).catch((error: Error) => {
    console.error(`cluster: ${error.message}`);
    process.exit(1);
});
