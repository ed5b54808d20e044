/**
 * `npm run bench:app-limits`: the three scenarios' models served by the app stand-in inside a
 * cgroup with staging's rendered limits, gated as test-staging gates them (integration, then
 * load with the rendered arguments), once with the app's own torch (.app-venv, PyPI 2.5.1) and
 * once with Debian's (.venv, 1.13). Prints one table: gate verdicts, OOM kills, memory peak under
 * load against the limit, p95 against the threshold, CPU per request. Measures; asserts nothing.
 *
 *   BENCH_APP_MEMORY=768Mi BENCH_APP_CPU=500m   try other limits than the stack defaults
 *   BENCH_APP_PYTHONS=app                        only one of app, debian
 *   BENCH_SCENARIOS=normal                       only some scenarios
 *   BENCH_CPU_PRIORITY=0                         let the app compete for CPU with the rest of the machine
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, type CliRun } from "../test/gates/cli-runner";
import { appPythons, buildScenarioModels, Standin } from "../test/support/app-standin";
import { gateCommandLine } from "../pipeline/gates/contract";
import { stagingPlan } from "../test/support/staging-plan";
import { trainingScenarios } from "../vocabulary/names";
import { parseMemoryBytes } from "../vocabulary/quantities";

/** On by default: the app gets the CPU its limit allows even on a machine busy with other work. */
const firstClaimOnCpu = process.env.BENCH_CPU_PRIORITY !== "0";
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const pct = (x: number) => `${Math.round(x * 100)}%`;
/** The stand-in needs a while to import torch; a model that never loads fails after this. */
const versionWaitS = 90;

function verdict(run: CliRun | undefined): string {
    if (!run) return "skipped";
    if (!run.report) return `exit ${run.code}: ${run.stderr.trim().split("\n").pop()}`;
    const reason = run.report.reason.length > 90 ? `${run.report.reason.slice(0, 90)}…` : run.report.reason;
    return `${run.report.verdict}: ${reason}`;
}

async function measure(python: string, scenario: string, modelFile: string, plan: ReturnType<typeof stagingPlan>, limitBytes: number): Promise<string[]> {
    const standin = await Standin.start({ python, modelFile, modelVersion: "7", limits: plan.limits, maxRestarts: 3, firstClaimOnCpu });
    try {
        const integration = await runCli(
            [...gateCommandLine("integration", { ...plan.integration, url: standin.url, expectVersion: "7", waitS: versionWaitS })],
            {},
            (versionWaitS + 120) * 1000,
        );
        let load: CliRun | undefined;
        let peak = "";
        let idle = "";
        let cpuPerRequest = "";
        if (integration.code === 0) {
            idle = mib(standin.cgroup.sample().workingSetBytes);
            const cpu0 = standin.cpuSeconds();
            const throttled0 = standin.cgroup.throttledSeconds();
            standin.startSampling();
            load = await runCli([...gateCommandLine("load", { ...plan.load, url: `${standin.url}/test` })], {}, 15 * 60_000);
            const p = standin.stopSampling();
            const cpu1 = standin.cpuSeconds();
            const attempts = load.report?.metrics?.attempts ?? 0;
            peak = `${mib(p.workingSetBytes)} (${pct(p.workingSetBytes / limitBytes)}), anon ${mib(p.anonBytes)}`;
            if (cpu0 !== null && cpu1 !== null && attempts > 0) {
                cpuPerRequest = `${Math.round(((cpu1 - cpu0) / attempts) * 1000)} ms, throttled ${Math.round(standin.cgroup.throttledSeconds() - throttled0)} s`;
            }
        }
        const p95 = load?.report?.metrics?.latencyMs?.p95;
        return [
            path.basename(path.dirname(path.dirname(python))),
            scenario,
            verdict(integration),
            verdict(load),
            `${standin.cgroup.oomKills()} in ${standin.starts} start(s)`,
            idle,
            peak,
            p95 === undefined ? "" : `${Math.round(p95)} ms (${pct(p95 / plan.loadP95Ms)})`,
            cpuPerRequest,
        ];
    } finally {
        await standin.stop();
    }
}

async function main(): Promise<void> {
    const overrides: Record<string, string> = {};
    if (process.env.BENCH_APP_MEMORY || process.env.BENCH_APP_CPU) {
        const limits = { ...(process.env.BENCH_APP_MEMORY ? { memory: process.env.BENCH_APP_MEMORY } : {}), ...(process.env.BENCH_APP_CPU ? { cpu: process.env.BENCH_APP_CPU } : {}) };
        // Requests only schedule a pod; here they just must not exceed the limits.
        overrides["gourmetgram:appResources"] = JSON.stringify({ staging: { limits, requests: limits } });
    }
    const plan = stagingPlan(overrides);
    const limitBytes = parseMemoryBytes(plan.limits.memory)!;
    const pythons = (process.env.BENCH_APP_PYTHONS ?? "app,debian").split(",") as Array<keyof typeof appPythons>;
    const scenarios = (process.env.BENCH_SCENARIOS ?? trainingScenarios.join(",")).split(",");
    console.log(`staging limits: memory ${plan.limits.memory}, CPU ${plan.limits.cpu}; load gate: ${gateCommandLine("load", { ...plan.load, url: "URL" }).join(" ")}`);
    console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    console.log(
        firstClaimOnCpu
            ? "the app's cgroup has the highest CPU weight: it gets its quota however busy the machine is (BENCH_CPU_PRIORITY=0 for a fair share)"
            : "the app's cgroup competes for CPU with everything else on the machine (BENCH_CPU_PRIORITY=0)",
    );

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-app-limits-"));
    const rows: string[][] = [];
    try {
        console.log(buildScenarioModels(dir, plan.trainAppMemoryLimit, scenarios).trimEnd().replace(/^/gm, "  built: "));
        for (const name of pythons) {
            const python = appPythons[name];
            if (!python || !fs.existsSync(python)) {
                rows.push([name, "-", `${python ?? name} is missing: run npm run setup`, "", "", "", "", "", ""]);
                continue;
            }
            for (const scenario of scenarios) {
                rows.push(await measure(python, scenario, path.join(dir, `${scenario}.pth`), plan, limitBytes));
                console.log(`  ${rows[rows.length - 1].join(" | ")}`);
            }
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const header = ["python", "scenario", "integration gate", "load gate", "OOM kills", "idle working set", `peak under load (of ${plan.limits.memory})`, `p95 (of ${plan.loadP95Ms} ms)`, "CPU per request"];
    console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
    for (const row of rows) console.log(`| ${row.join(" | ")} |`);
    console.log(`\nload average after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

main().catch((err) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exitCode = 1;
});
