/** Runs the gate CLI as a subprocess, the way a workflow step does, and reads its report. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const cli = path.join(root, "pipeline", "gates", "cli.ts");

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
    report?: { verdict: string; reason: string; metrics: any; command: string };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliRun> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-cli-"));
    const reportFile = path.join(dir, "report.json");
    const child = spawn(tsx, [cli, ...args, "--report", reportFile], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
    clearTimeout(timer);
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, "utf8")) : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { code, stdout, stderr, report };
}
