/**
 * `npm run bench`: the load gate against wrk, hey and autocannon, all in one run against one
 * loopback server (bench/server.ts, its own process):
 *   1. throughput at concurrency 10 and 50 (median of rounds, tools interleaved)
 *   2. p95 accuracy against a known latency distribution
 *   3. what each tool counts for 503s, resets, 404s and a refused port
 * Prints tables and whether the targets were met; it asserts nothing and never fails a build.
 */
import * as os from "node:os";
import { spawn, ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { percentile } from "../pipeline/gates/load/stats";
import { Load, root, runAutocannon, runGate, runHey, runWrk, ToolResult } from "./tools";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const tools = [runGate, runWrk, runHey, runAutocannon];

function startServer(): Promise<{ base: string; child: ChildProcess }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(__dirname, "server.ts")], {
            stdio: ["ignore", "pipe", "inherit"],
        });
        child.stdout!.once("data", (d: Buffer) => resolve({ base: `http://127.0.0.1:${d.toString().trim()}`, child }));
        child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    });
}

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};
const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(digits));

function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
    return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

async function throughput(base: string) {
    const out: Record<number, Record<string, number>> = {};
    const cpu: Record<number, Record<string, number>> = {};
    for (const concurrency of [10, 50]) {
        const load: Load = { url: `${base}/fast`, concurrency, requests: 30_000, wrkSeconds: 3 };
        const samples: Record<string, number[]> = {};
        const cpuSamples: Record<string, number[]> = {};
        for (let r = 0; r < rounds; r++) {
            for (const run of tools) {
                const res = await run(load);
                if (res.rps !== null) (samples[res.tool] ??= []).push(res.rps);
                if (res.cpuUsPerRequest != null) (cpuSamples[res.tool] ??= []).push(res.cpuUsPerRequest);
            }
        }
        out[concurrency] = Object.fromEntries(Object.entries(samples).map(([t, xs]) => [t, median(xs)]));
        cpu[concurrency] = Object.fromEntries(Object.entries(cpuSamples).map(([t, xs]) => [t, median(xs)]));
    }
    const toolsSeen = Object.keys(out[10]);
    const rows = toolsSeen.map((t) => [
        t,
        fmt(out[10][t], 0),
        fmt(out[50][t], 0),
        fmt(out[10][t] / out[10].wrk, 2),
        fmt(out[50][t] / out[50].wrk, 2),
        fmt(cpu[10][t], 0),
        fmt(cpu[50][t], 0),
    ]);
    console.log(`\n1. Throughput on /fast (median of ${rounds} interleaved rounds; wrk -t1, others single-threaded)`);
    console.log("   client CPU = the tool's own user+system CPU per request; steadier than req/s on a shared machine");
    console.log(table(["tool", "req/s c=10", "req/s c=50", "vs wrk c=10", "vs wrk c=50", "client CPU us/req c=10", "c=50"], rows));
    return out;
}

async function accuracy(base: string) {
    const load: Load = { url: `${base}/dist`, concurrency: 20, requests: 1000, wrkSeconds: 4 };
    const truthOfDistribution = 10 + 0.95 * 90;
    const rows: string[][] = [];
    const errors: Record<string, number> = {};
    for (const run of tools) {
        await fetch(`${base}/stats/clear`);
        const res = await run(load);
        const applied = Float64Array.from((await (await fetch(`${base}/stats`)).json()) as number[]).sort();
        const truth = percentile(applied, 95);
        const err = res.p95Ms === null ? null : (res.p95Ms - truth) / truth;
        if (err !== null) errors[res.tool] = err;
        rows.push([res.tool, fmt(res.p95Ms, 2), fmt(truth, 2), err === null ? "n/a (no p95)" : `${(err * 100).toFixed(1)}%`]);
    }
    console.log(`\n2. p95 accuracy on /dist: delays uniform on [10, 100) ms (p95 of the distribution ${truthOfDistribution} ms); truth = p95 of the delays the server applied during that tool's run`);
    console.log(table(["tool", "reported p95 ms", "true p95 ms", "error"], rows));
    return errors;
}

async function outcomes(base: string) {
    const refused = await freePort();
    const scenarios: Array<[string, string]> = [
        ["503", `${base}/503`],
        ["reset", `${base}/reset`],
        ["404", `${base}/404`],
        ["refused port", `http://127.0.0.1:${refused}/`],
    ];
    const rows: string[][] = [];
    const gateCounted: Record<string, ToolResult> = {};
    for (const [name, url] of scenarios) {
        for (const run of tools) {
            const res = await run({ url, concurrency: 10, requests: 200, wrkSeconds: 1, timeoutMs: 2000 });
            if (res.tool === "gate load") gateCounted[name] = res;
            rows.push([name, res.tool, res.counted === null ? "n/a" : String(res.counted), res.outcomes]);
        }
    }
    console.log("\n3. Outcome counts, 200 requests at concurrency 10 (wrk: 1 s, it cannot bound a count)");
    console.log(table(["scenario", "tool", "attempts counted", "what the tool reports"], rows));
    return gateCounted;
}

async function main() {
    const { base, child } = await startServer();
    try {
        console.log(`bench server ${base}; machine load average ${os.loadavg().map((x: number) => x.toFixed(2)).join(" ")}`);
        const rps = await throughput(base);
        const p95 = await accuracy(base);
        const counted = await outcomes(base);
        const ratio10 = rps[10]["gate load"] / rps[10].wrk;
        const aheadOfHey = rps[10]["gate load"] > rps[10].hey && rps[50]["gate load"] > rps[50].hey;
        const p95Err = Math.abs(p95["gate load"] ?? Number.NaN);
        const allCounted = ["503", "reset", "404"].every((s) => counted[s]?.counted === 200) && (counted["refused port"]?.counted ?? 0) > 0;
        console.log("\nTargets");
        console.log(`  >= 0.9x wrk req/s at c=10:  ${ratio10.toFixed(2)}x  ${ratio10 >= 0.9 ? "met" : "NOT met"}`);
        console.log(`  ahead of hey at c=10 and 50: ${aheadOfHey ? "met" : "NOT met"}`);
        console.log(`  p95 within 5% of truth:      ${(p95Err * 100).toFixed(1)}%  ${p95Err <= 0.05 ? "met" : "NOT met"}`);
        console.log(`  every attempt counted:       ${allCounted ? "met (200/200 for 503, reset, 404; refused counted, then backoff stops the run)" : "NOT met"}`);
    } finally {
        child.kill("SIGTERM");
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
