import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a command to completion, bounded in time; never throws on a non-zero exit. */
export function run(
    file: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = execFile(
            file,
            args,
            {
                env: options.env ?? process.env,
                cwd: options.cwd,
                timeout: options.timeoutMs ?? 60_000,
                maxBuffer: 64 * 1024 * 1024,
            },
            (error, stdout, stderr) => {
                if (error && typeof error.code !== "number") {
                    reject(new Error(`${file} ${args.join(" ")} did not finish: ${error.message}\n${stderr}`));
                    return;
                }
                resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
            },
        );
        if (options.input !== undefined) child.stdin?.end(options.input);
    });
}

/** Like run, but a non-zero exit is an error that carries the command's stderr. */
export async function runOk(file: string, args: readonly string[], options: Parameters<typeof run>[2] = {}) {
    const result = await run(file, args, options);
    if (result.code !== 0) {
        throw new Error(`${file} ${args.join(" ")} exited ${result.code}:\n${result.stderr || result.stdout}`);
    }
    return result.stdout;
}

/** A long-running server process whose output goes to a log file. */
export interface Daemon {
    name: string;
    child: ChildProcess;
    logFile: string;
    exited: Promise<number | null>;
    logTail(lines?: number): string;
    stop(): Promise<void>;
}

export function startDaemon(name: string, file: string, args: readonly string[], logFile: string): Daemon {
    const log = fs.openSync(logFile, "a");
    const child = spawn(file, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const logTail = (lines = 30) => {
        const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
        return text.split("\n").slice(-lines).join("\n");
    };
    const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
    };
    return { name, child, logFile, exited, logTail, stop };
}

/** Polls until check resolves true; fails with the reason once the deadline passes or the daemon dies. */
export async function waitUntil(
    what: string,
    check: () => Promise<boolean>,
    options: { timeoutMs: number; daemon?: Daemon },
): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    let died = false;
    options.daemon?.exited.then(() => (died = true));
    while (Date.now() < deadline) {
        if (died) {
            throw new Error(`${options.daemon!.name} exited while waiting for ${what}:\n${options.daemon!.logTail()}`);
        }
        if (await check().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 250));
    }
    const tail = options.daemon ? `\n${options.daemon.name} log:\n${options.daemon.logTail()}` : "";
    throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${tail}`);
}

/** A TCP port on loopback that nothing listens on right now. */
export function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}
