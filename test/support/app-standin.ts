/**
 * Runs the app stand-in (test/support/app-standin/app.py) as staging runs the app: one model
 * file, a versions.txt, the bundled test image, inside a cgroup with the container's memory and
 * CPU limits, restarted after it dies the way the kubelet restarts a container
 * (restartPolicy Always), a bounded number of times. Loopback only.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LimitedCgroup, Limits, MemorySample } from "./cgroup";
import { freeLoopbackPort } from "../e2e/harness/process";

export const repoRoot = path.resolve(__dirname, "..", "..");
const appSource = path.join(__dirname, "app-standin");

/** The app's own Python (PyPI torch 2.5.1, scripts/setup.d/25-app-python.sh) and the CI venv's. */
export const appPythons = {
    app: path.join(repoRoot, ".app-venv", "bin", "python"),
    debian: path.join(repoRoot, ".venv", "bin", "python"),
} as const;

export function requirePython(python: string): string {
    if (!fs.existsSync(python)) {
        throw new Error(`${path.relative(repoRoot, python)} is missing: run 'npm run setup' (scripts/setup.d) to build it`);
    }
    return python;
}

/**
 * Saves each scenario's model as `<dir>/<scenario>.pth`, built and saved by the training image's
 * own code with CI's torch (the training image's), sized from the given app memory limit.
 * Returns what build_models.py printed (scenario, architecture, tensor bytes).
 */
export function buildScenarioModels(dir: string, appMemoryLimit: string, scenarios: readonly string[]): string {
    const built = spawnSync(requirePython(appPythons.debian), [path.join(__dirname, "build_models.py"), dir, appMemoryLimit, ...scenarios], {
        env: { ...process.env, PYTHONPATH: path.join(repoRoot, "pipeline", "images", "train") },
        encoding: "utf8",
        timeout: 15 * 60_000,
    });
    if (built.status !== 0) throw new Error(`building the scenario models failed: ${built.stderr || built.error}`);
    return built.stdout;
}

export interface StandinOptions {
    python: string;
    modelFile: string;
    modelVersion: string;
    limits: Limits;
    /** Restarts after the first start (the kubelet restarts forever; a test needs an end). */
    maxRestarts?: number;
    restartDelayMs?: number;
    /** See LimitedCgroup.create. */
    firstClaimOnCpu?: boolean;
}

export interface Exit {
    code: number | null;
    signal: NodeJS.Signals | null;
    /** The kernel's OOM-kill count in the cgroup went up while this run was alive. */
    oomKilled: boolean;
}

/** A working directory laid out like the app image: app.py, templates/, the model, versions.txt, the test image. */
function prepareAppDir(python: string, modelFile: string, version: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-standin-"));
    fs.copyFileSync(path.join(appSource, "app.py"), path.join(dir, "app.py"));
    fs.cpSync(path.join(appSource, "templates"), path.join(dir, "templates"), { recursive: true });
    fs.symlinkSync(path.resolve(modelFile), path.join(dir, "food11.pth"));
    fs.writeFileSync(path.join(dir, "versions.txt"), `${version}\n`);
    const uploads = path.join(dir, "instance", "uploads");
    fs.mkdirSync(uploads, { recursive: true });
    const drawn = spawnSync(python, [path.join(appSource, "make_test_image.py"), path.join(uploads, "test_image.jpeg")], { encoding: "utf8", timeout: 60_000 });
    if (drawn.status !== 0) throw new Error(`drawing the test image failed: ${drawn.stderr || drawn.error}`);
    return dir;
}

export class Standin {
    readonly url: string;
    readonly exits: Exit[] = [];
    private child?: ChildProcess;
    private stopping = false;
    private restartTimer?: NodeJS.Timeout;
    private logText = "";
    private peak: MemorySample = { usageBytes: 0, workingSetBytes: 0, anonBytes: 0 };
    private sampler?: NodeJS.Timeout;

    private constructor(
        private readonly options: Required<StandinOptions>,
        readonly cgroup: LimitedCgroup,
        readonly port: number,
        private readonly dir: string,
    ) {
        this.url = `http://127.0.0.1:${port}`;
    }

    static async start(options: StandinOptions): Promise<Standin> {
        const full = { maxRestarts: 3, restartDelayMs: 1000, firstClaimOnCpu: false, ...options };
        const port = await freeLoopbackPort();
        const dir = prepareAppDir(full.python, full.modelFile, full.modelVersion);
        const cgroup = LimitedCgroup.create(`gourmetgram-standin-${process.pid}-${port}`, full.limits, { firstClaimOnCpu: full.firstClaimOnCpu });
        const standin = new Standin(full, cgroup, port, dir);
        standin.launch();
        return standin;
    }

    /** How many times the app process was started (1 + restarts). */
    get starts(): number {
        return this.exits.length + (this.child ? 1 : 0);
    }

    get log(): string {
        return this.logText;
    }

    private launch(): void {
        const join = this.cgroup.procsFiles.map((f) => `echo $$ > '${f}'`).join(" && ");
        const oomBefore = this.cgroup.oomKills();
        const child = spawn("sh", ["-c", `${join} && exec "$@"`, "sh", this.options.python, "app.py"], {
            cwd: this.dir,
            env: { ...process.env, PORT: String(this.port), HOST: "127.0.0.1", PYTHONUNBUFFERED: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        this.child = child;
        const keep = (d: Buffer) => {
            this.logText = (this.logText + d.toString()).slice(-20_000);
        };
        child.stdout!.on("data", keep);
        child.stderr!.on("data", keep);
        child.once("exit", (code, signal) => {
            this.child = undefined;
            if (this.stopping) return;
            this.exits.push({ code, signal, oomKilled: this.cgroup.oomKills() > oomBefore });
            if (this.exits.length <= this.options.maxRestarts) {
                this.restartTimer = setTimeout(() => this.launch(), this.options.restartDelayMs);
            }
        });
    }

    /** Is the app answering /version? Waits at most waitMs. */
    async ready(waitMs: number): Promise<boolean> {
        const deadline = Date.now() + waitMs;
        while (Date.now() < deadline) {
            try {
                const res = await fetch(`${this.url}/version`, { signal: AbortSignal.timeout(2000) });
                await res.arrayBuffer();
                if (res.ok) return true;
            } catch {
                // not listening yet
            }
            await new Promise((r) => setTimeout(r, 250));
        }
        return false;
    }

    /** Samples memory every intervalMs and keeps each figure's peak until stopSampling(). */
    startSampling(intervalMs = 50): void {
        this.peak = this.cgroup.sample();
        this.sampler = setInterval(() => {
            const s = this.cgroup.sample();
            this.peak = {
                usageBytes: Math.max(this.peak.usageBytes, s.usageBytes),
                workingSetBytes: Math.max(this.peak.workingSetBytes, s.workingSetBytes),
                anonBytes: Math.max(this.peak.anonBytes, s.anonBytes),
            };
        }, intervalMs);
    }

    stopSampling(): MemorySample {
        clearInterval(this.sampler);
        return this.peak;
    }

    /** CPU seconds the running app process has used (user + system), or null when none runs. */
    cpuSeconds(): number | null {
        const pid = this.child?.pid;
        if (!pid) return null;
        try {
            const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
            const ticks = Number(fields[11]) + Number(fields[12]);
            return ticks / 100;
        } catch {
            return null;
        }
    }

    /** Stops the app (only the process this started, by PID), then removes the cgroup and the directory. */
    async stop(): Promise<void> {
        this.stopping = true;
        clearTimeout(this.restartTimer);
        clearInterval(this.sampler);
        const child = this.child;
        if (child?.pid) {
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
        }
        for (let i = 0; i < 50 && this.cgroup.pids().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
        this.cgroup.remove();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
