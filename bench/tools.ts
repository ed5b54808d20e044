/**
 * Runs each load tool once against a URL and reads what it reports, in one shape:
 * requests per second, p95 (where the tool reports one), and its outcome counts.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gateCommandLine, gateReportArguments } from "../pipeline/gates/contract";

export const root = path.resolve(__dirname, "..");

export interface ToolResult {
    tool: string;
    /** Attempts the tool accounted for (successes + every failure it counted). */
    counted: number | null;
    rps: number | null;
    p95Ms: number | null;
    /** What the tool says happened, in its own categories. */
    outcomes: string;
    /** The tool's own CPU time (user + system) per attempt, in microseconds. */
    cpuUsPerRequest?: number | null;
    hung?: boolean;
}

interface Exec {
    code: number | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
}

const timeBinary = "/usr/bin/time";

/** CPU seconds the command used, from the `time` wrapper's last stderr line. */
function cpuSeconds(stderr: string): number | null {
    const m = /BENCH_CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
    return m ? Number(m[1]) + Number(m[2]) : null;
}

function exec(cmd: string, args: string[], timeoutMs: number, measureCpu = false): Promise<Exec> {
    return new Promise((resolve) => {
        const [file, argv] = measureCpu && fs.existsSync(timeBinary) ? [timeBinary, ["-f", "BENCH_CPU %U %S", cmd, ...args]] : [cmd, args];
        const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, timeoutMs);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr, timedOut });
        });
    });
}

const perRequest = (cpuS: number | null, n: number) => (cpuS === null || n <= 0 ? null : Math.round((cpuS * 1e6) / n));

const hung = (tool: string): ToolResult => ({ tool, counted: null, rps: null, p95Ms: null, outcomes: "did not finish (killed)", hung: true });

export interface Load {
    url: string;
    concurrency: number;
    requests: number;
    /** wrk runs for a duration, not a count. */
    wrkSeconds: number;
    timeoutMs?: number;
}

export async function runGate(l: Load): Promise<ToolResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-gate-"));
    const report = path.join(dir, "report.json");
    const r = await exec(
        process.execPath,
        [
            path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
            path.join(root, "pipeline", "gates", "cli.ts"),
            ...gateCommandLine("load", { url: l.url, requests: l.requests, concurrency: l.concurrency, timeoutMs: l.timeoutMs, maxDurationS: 120 }),
            ...gateReportArguments(report),
        ],
        180_000,
    );
    if (r.timedOut || !fs.existsSync(report)) return hung("gate load");
    const m = JSON.parse(fs.readFileSync(report, "utf8")).metrics;
    const cpuUsPerRequest = m.attempts > 0 ? Math.round((m.generatorCpuS * 1e6) / m.attempts) : null;
    fs.rmSync(dir, { recursive: true, force: true });
    const o = m.outcomes;
    const parts = [`2xx ${o.success}`];
    for (const [s, n] of Object.entries(o.nonSuccessByStatus)) parts.push(`${s}: ${n}`);
    if (o.reset) parts.push(`reset ${o.reset}`);
    if (o.refused) parts.push(`refused ${o.refused}`);
    if (o.timeout) parts.push(`timeout ${o.timeout}`);
    for (const [c, n] of Object.entries(o.transportByCode)) parts.push(`${c} ${n}`);
    if (m.notAttempted) parts.push(`not attempted ${m.notAttempted} (refusal backoff)`);
    return { tool: "gate load", counted: m.attempts, rps: m.requestsPerSecond, p95Ms: m.latencyMs?.p95 ?? null, outcomes: parts.join(", "), cpuUsPerRequest };
}

export async function runWrk(l: Load): Promise<ToolResult> {
    const r = await exec("wrk", ["-t1", `-c${l.concurrency}`, `-d${l.wrkSeconds}s`, "--timeout", "10s", "-s", path.join(__dirname, "wrk-report.lua"), l.url], (l.wrkSeconds + 30) * 1000, true);
    if (r.timedOut) return hung("wrk");
    const line = /WRK_JSON (\{.*\})/.exec(r.stdout);
    if (!line) return { tool: "wrk", counted: null, rps: null, p95Ms: null, outcomes: `no summary: ${r.stderr.split("\n").find((l) => l.trim() && !/^(BENCH_CPU|Command exited)/.test(l)) ?? r.stdout.trim()}`.slice(0, 120) };
    const j = JSON.parse(line[1]);
    const outcomes = [`responses ${j.requests}`, `non-2xx/3xx ${j.status}`, `socket errors: connect ${j.connect}, read ${j.read}, write ${j.write}, timeout ${j.timeout}`];
    return {
        tool: "wrk",
        counted: j.requests + j.connect + j.read + j.write + j.timeout,
        rps: Math.round((j.requests / (j.durationUs / 1e6)) * 10) / 10,
        p95Ms: j.requests > 0 ? j.p95 / 1000 : null,
        outcomes: outcomes.join(", "),
        cpuUsPerRequest: perRequest(cpuSeconds(r.stderr), j.requests),
    };
}

export async function runHey(l: Load): Promise<ToolResult> {
    const r = await exec("hey", ["-n", String(l.requests), "-c", String(l.concurrency), "-t", String(Math.ceil((l.timeoutMs ?? 10_000) / 1000)), l.url], 180_000, true);
    if (r.timedOut) return hung("hey");
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
    const p95 = /95%+ in ([\d.]+) secs/.exec(r.stdout);
    let counted = 0;
    const parts: string[] = [];
    for (const m of r.stdout.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) {
        parts.push(`${m[1]}: ${m[2]}`);
        counted += Number(m[2]);
    }
    const errors = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^\s+\[(\d+)\]\s+Get "[^"]*": (.*)$/gm)) {
        const kind = m[2].replace(/.*: /, "").trim();
        errors.set(kind, (errors.get(kind) ?? 0) + Number(m[1]));
        counted += Number(m[1]);
    }
    for (const [k, n] of errors) parts.push(`error "${k}": ${n}`);
    return {
        tool: "hey",
        counted,
        rps: rps ? Number(rps[1]) : null,
        p95Ms: p95 ? Number(p95[1]) * 1000 : null,
        outcomes: `${parts.join(", ") || "nothing"} (no success rate printed)`,
        cpuUsPerRequest: perRequest(cpuSeconds(r.stderr), counted),
    };
}

export async function runAutocannon(l: Load): Promise<ToolResult> {
    const cli = path.join(root, "node_modules", "autocannon", "autocannon.js");
    const r = await exec(process.execPath, [cli, "-c", String(l.concurrency), "-a", String(l.requests), "-t", String(Math.ceil((l.timeoutMs ?? 10_000) / 1000)), "-j", l.url], 180_000, true);
    if (r.timedOut) return hung("autocannon");
    let j: any;
    try {
        j = JSON.parse(r.stdout);
    } catch {
        return { tool: "autocannon", counted: null, rps: null, p95Ms: null, outcomes: `no JSON: ${r.stderr.trim()}`.slice(0, 120) };
    }
    const counted = j["1xx"] + j["2xx"] + j["3xx"] + j["4xx"] + j["5xx"] + j.errors + j.timeouts;
    const statuses = Object.entries(j.statusCodeStats ?? {}).map(([s, v]: [string, any]) => `${s}: ${v.count}`);
    return {
        tool: "autocannon",
        counted,
        rps: j.duration > 0 ? Math.round((j.requests.total / j.duration) * 10) / 10 : null,
        // autocannon reports p90 and p97.5, not p95.
        p95Ms: null,
        outcomes: [...statuses, `errors ${j.errors}`, `timeouts ${j.timeouts}`, `resets ${j.resets}`].join(", "),
        // Includes autocannon's start-up, which the other tools' figures (native, or measured in-process) do not.
        cpuUsPerRequest: perRequest(cpuSeconds(r.stderr), j.requests.total),
    };
}
