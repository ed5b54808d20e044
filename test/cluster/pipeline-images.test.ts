/**
 * The pipeline's images as built here (scripts/toolchain/images.d/80-pipeline.sh), each run with
 * runc as the cluster runs it (read-only root, the image's own user), on loopback:
 * - gates: the CLI's usage contract (exit 2 and its usage text), and `gate integration` against a
 *   fake app served by this test: it waits for the version, uploads its bundled sample and writes
 *   its JSON verdict, pass or fail;
 * - train: torch, MLflow and the training package import as uid 10001, the venv holds exactly the
 *   lock, the image's own command refuses to run without MLflow (exit 2), and the image's own
 *   evaluation (pytest over /app/tests, MLflow-free) judges a model it builds: one seed passes,
 *   another fails on the simulated accuracy;
 * - app-base: the app stand-in (test/support/app-standin/app.py) serves a model saved by the
 *   image's own torch, and the gate image's integration check passes against it.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, runOk, waitUntil } from "../e2e/harness/process";
import { food11Classes } from "../../vocabulary/names";
import { type ImageRunner, startImageRunner } from "./harness/image-runner";
import { describeWithCluster } from "./harness/suite";
import type { ClusterImage, ClusterToolchain } from "./harness/tools";

const repoRoot = path.resolve(__dirname, "..", "..");
const gateSample = path.join(repoRoot, "pipeline", "gates", "assets", "food-sample.jpg");
const appSource = path.join(repoRoot, "test", "support", "app-standin");
const trainLock = path.join(repoRoot, "pipeline", "images", "train", "requirements.lock.txt");

type PipelineImage = "gates" | "train" | "app-base";

/** The whole image config, for what ImageConfig leaves out (its environment). */
async function imageEnv(image: ClusterImage): Promise<Record<string, string>> {
    const raw = JSON.parse(await runOk("skopeo", ["inspect", "--config", `docker-archive:${image.archive}`])) as { config: { Env?: string[] } };
    return Object.fromEntries((raw.config.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

/** An image's Debian packages as its labels record them, whole or split over numbered labels (80-pipeline.sh). */
function debianPackages(labels: Record<string, string>): string[] {
    const whole = labels["org.gourmetgram.debian-packages"];
    const parts = whole !== undefined ? [whole] : [];
    for (let i = 1; labels[`org.gourmetgram.debian-packages.${i}`] !== undefined; i++) parts.push(labels[`org.gourmetgram.debian-packages.${i}`]);
    return parts.join(" ").split(" ").filter(Boolean);
}

/** containerd refuses a container whose label (key and value) is over 4096 bytes, and the CRI gives containers their image's labels. */
function expectLabelsFitContainerd(labels: Record<string, string>): void {
    for (const [key, value] of Object.entries(labels)) expect(Buffer.byteLength(key + value), key).toBeLessThanOrEqual(4096);
}

/** A directory any container uid may write, as an emptyDir volume. */
function writableDir(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    return dir;
}

/** pip's name of a distribution, for comparing `pip freeze` with the lock. */
const normalized = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/** What the app answers, for the gate to check: the version, /test and /predict (which keeps the upload). */
function fakeApp(version: string) {
    const uploads: Buffer[] = [];
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            if (request.url === "/version") {
                response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ model_version: version }));
            } else if (request.url === "/test") {
                response.writeHead(200, { "content-type": "text/html" }).end("Rice");
            } else if (request.url === "/predict" && request.method === "POST") {
                uploads.push(Buffer.concat(chunks));
                response.writeHead(200, { "content-type": "text/html" }).end('<button type="button" class="btn btn-info btn-sm">Noodles/Pasta</button>');
            } else {
                response.writeHead(404).end();
            }
        });
    });
    return { server, uploads };
}

describeWithCluster("the pipeline's images, built here, run as the pipeline's steps run them", (tools: ClusterToolchain) => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-pipeline-images-"));
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
    const image = (name: PipelineImage): ClusterImage => {
        const built = (tools.images as unknown as Record<string, ClusterImage | undefined>)[name];
        if (!built || !fs.existsSync(built.archive)) {
            throw new Error(`images.json has no built image ${name}: run scripts/toolchain/build.sh images (recipe scripts/toolchain/images.d/80-pipeline.sh)`);
        }
        return built;
    };
    /**
     * A containerd of its own for one group of checks, removed after it: the imported training
     * image alone takes about 4.4 GB (its layer and the unpacked snapshot), and this machine's disk
     * has no room for every image at once.
     */
    function groupRunner(group: string) {
        const dir = path.join(scratch, group);
        let started: ImageRunner | undefined;
        let runs = 0;
        beforeAll(async () => {
            started = await startImageRunner(tools, dir);
        }, 180_000);
        afterAll(async () => {
            await started?.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }, 120_000);
        return {
            get runner(): ImageRunner {
                if (!started) throw new Error(`the image runner for ${group} did not start`);
                return started;
            },
            runOnce(name: PipelineImage, spec: Parameters<ImageRunner["runOnce"]>[2]) {
                return this.runner.runOnce(`${name}-check-${++runs}`, image(name), spec);
            },
        };
    }

    describe("gates and app-base", () => {
        const group = groupRunner("gates-and-app-base");

        it("gates: the Dockerfile's user, entrypoint and environment, on the project's Node 24", async () => {
            const config = await group.runner.config(image("gates"));
            expect(config).toMatchObject({ user: "1000:1000", entrypoint: ["node", "/app/dist/pipeline/gates/cli.js"], cmd: [] });
            expectLabelsFitContainerd(config.labels);
            expect(debianPackages(config.labels)).toContainEqual(expect.stringMatching(/^libstdc\+\+6=12\./));
            expect(config.labels["org.gourmetgram.node"]).toMatch(/^24\./);
            expect(await imageEnv(image("gates"))).toMatchObject({ NODE_ENV: "production" });
            const node = await group.runOnce("gates", { command: ["node", "-p", "process.version + ' ' + process.getuid() + ':' + process.getgid()"] });
            expect(node).toEqual({ code: 0, output: `v${config.labels["org.gourmetgram.node"]} 1000:1000\n` });
        }, 120_000);

        it("gates: the CLI's usage contract, exit status 2 for a bad command line and 0 for --help", async () => {
            const bare = await group.runOnce("gates", {});
            expect(bare.code, bare.output).toBe(2);
            expect(bare.output).toContain("usage:\n");
            expect(bare.output).toContain("exit status: 0 pass, 1 fail, 2 usage error");
            for (const command of ["load", "integration", "resources", "canary", "split", "promote", "revert", "mark-good", "set-image-tag"]) {
                expect(bare.output).toContain(`  gate ${command} `);
            }
            const help = await group.runOnce("gates", { args: ["--help"] });
            expect(help).toEqual({ code: 0, output: bare.output });
            expect(await group.runOnce("gates", { args: ["deploy"] })).toEqual({ code: 2, output: expect.stringContaining('gate: unknown command "deploy"; allowed: load, integration,') });
            const missing = await group.runOnce("gates", { args: ["integration", "--url", "http://127.0.0.1:1"] });
            expect(missing).toEqual({ code: 2, output: expect.stringContaining("gate integration: --expect-version is required") });
        }, 120_000);

        it("gates: `gate integration` waits for the version, uploads its bundled sample and writes its verdict, pass and fail", async () => {
            const app = fakeApp("7");
            const port = await freeLoopbackPort();
            await new Promise<void>((resolve) => app.server.listen(port, "127.0.0.1", resolve));
            try {
                const reports = writableDir(path.join(scratch, "gate-reports"));
                const gate = (expectVersion: string, report: string) =>
                    group.runOnce("gates", {
                        args: ["integration", "--url", `http://127.0.0.1:${port}`, "--expect-version", expectVersion, "--wait-s", "0", "--report", `/reports/${report}`],
                        mounts: { [reports]: "/reports" },
                    });

                const passed = await gate("7", "pass.json");
                expect(passed.code, passed.output).toBe(0);
                expect(passed.output).toContain("gate integration: PASS: model version 7 is served; /test returned Rice, /predict returned Noodles/Pasta");
                const report = JSON.parse(fs.readFileSync(path.join(reports, "pass.json"), "utf8"));
                expect(report).toMatchObject({ command: "integration", verdict: "pass", metrics: { expectedVersion: "7", servedVersion: "7" } });
                expect(report.metrics.checks.map((c: { endpoint: string; ok: boolean }) => `${c.endpoint} ${c.ok}`)).toEqual(["/version true", "/test true", "/predict true"]);
                // The upload is the sample the image bundles (dist/pipeline/gates/assets), byte for byte.
                expect(app.uploads).toHaveLength(1);
                expect(app.uploads[0].includes(fs.readFileSync(gateSample))).toBe(true);
                expect(app.uploads[0].toString("latin1")).toContain('name="file"; filename="food-sample.jpg"');

                const stale = await gate("8", "fail.json");
                expect(stale.code, stale.output).toBe(1);
                expect(JSON.parse(fs.readFileSync(path.join(reports, "fail.json"), "utf8"))).toMatchObject({
                    verdict: "fail",
                    reason: expect.stringContaining("stale version: the app still serves model version 7 (expected 8)"),
                });
            } finally {
                await new Promise((resolve) => app.server.close(resolve));
            }
        }, 180_000);

        it("app-base: Debian's Python with torch, torchvision, Flask, NumPy and Pillow, as root", async () => {
            const config = await group.runner.config(image("app-base"));
            expect(config).toMatchObject({ user: "0:0", entrypoint: [], cmd: ["python3"] });
            expectLabelsFitContainerd(config.labels);
            const packages = debianPackages(config.labels);
            for (const name of ["python3-torch", "python3-torchvision", "python3-flask", "python3-numpy", "python3-pil"]) {
                expect(packages).toContainEqual(expect.stringMatching(new RegExp(`^${name}=`)));
            }
            const imports = await group.runOnce("app-base", {
                command: ["python", "-c", "import os, flask, torch, torchvision, numpy, PIL; print(os.getuid(), torch.__version__, torchvision.__version__)"],
            });
            // Debian's builds call themselves 1.13.0a0 and 0.14.1a0; the packages are 1.13.1 and 0.14.1.
            expect(imports).toEqual({ code: 0, output: "0 1.13.0a0 0.14.1a0\n" });
        }, 120_000);

        it("app-base: the app stand-in serves a model saved by the image's torch; /version, /test and /predict answer, and the gate image's integration check passes", async () => {
            const app = path.join(scratch, "app");
            fs.mkdirSync(path.join(app, "instance", "uploads"), { recursive: true });
            fs.copyFileSync(path.join(appSource, "app.py"), path.join(app, "app.py"));
            fs.cpSync(path.join(appSource, "templates"), path.join(app, "templates"), { recursive: true });
            fs.copyFileSync(path.join(appSource, "make_test_image.py"), path.join(app, "make_test_image.py"));
            fs.writeFileSync(path.join(app, "versions.txt"), "12\n");
            // A tiny classifier of the app's contract ([1, 11] scores for a [1, 3, 224, 224] image), pickled whole.
            const model = [
                "import torch",
                "torch.manual_seed(0)",
                "model = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(3, 11))",
                "torch.save(model, '/app/food11.pth')",
            ].join("\n");
            const made = await group.runOnce("app-base", { command: ["python", "-c", model], mounts: { [app]: "/app" } });
            expect(made.code, made.output).toBe(0);
            const drawn = await group.runOnce("app-base", { command: ["python", "/app/make_test_image.py", "/app/instance/uploads/test_image.jpeg"], mounts: { [app]: "/app" } });
            expect(drawn.code, drawn.output).toBe(0);

            const port = await freeLoopbackPort();
            const base = `http://127.0.0.1:${port}`;
            // The app's own Dockerfile sets WORKDIR /app over this base; oci_image sets none.
            await group.runner.start("app", image("app-base"), {
                command: ["sh", "-c", "cd /app && exec python app.py"],
                env: { HOST: "127.0.0.1", PORT: String(port) },
                mounts: { [app]: "/app" },
            });
            try {
                await waitUntil("the app to answer /version", async () => (await fetch(`${base}/version`).catch(() => undefined))?.status === 200, { timeoutMs: 120_000 });
            } catch (error) {
                throw new Error(`${(error as Error).message}\nthe app wrote:\n${group.runner.logs("app")}`, { cause: error });
            }
            expect(await (await fetch(`${base}/version`)).json()).toEqual({ model_version: "12" });
            const tested = await fetch(`${base}/test`);
            expect(food11Classes).toContain(await tested.text());

            const form = new FormData();
            form.append("file", new Blob([fs.readFileSync(gateSample)], { type: "image/jpeg" }), "food-sample.jpg");
            const predicted = await fetch(`${base}/predict`, { method: "POST", body: form });
            expect(predicted.status).toBe(200);
            const label = /^<button type="button" class="btn btn-info btn-sm">(.*)<\/button>$/.exec(await predicted.text())?.[1];
            expect(food11Classes).toContain(label);

            const gate = await group.runOnce("gates", { args: ["integration", "--url", base, "--expect-version", "12", "--wait-s", "30"] });
            expect(gate.code, gate.output).toBe(0);
            expect(gate.output).toContain(`/predict returned ${label}`);
        }, 300_000);
    });

    describe("train", () => {
        const group = groupRunner("train");

        it("train: the Dockerfile's user, command and environment", async () => {
            const config = await group.runner.config(image("train"));
            expect(config).toMatchObject({ user: "10001:10001", entrypoint: [], cmd: ["python", "-m", "gourmetgram_train", "--scenario", "normal"] });
            expectLabelsFitContainerd(config.labels);
            const packages = debianPackages(config.labels);
            expect(packages).toContain("python3-torch=1.13.1+dfsg-4");
            // The labels record exactly what dpkg installed in the image.
            const installed = await group.runOnce("train", { command: ["dpkg-query", "-W", "-f=${Package}=${Version}\\n"] });
            expect(installed.code, installed.output).toBe(0);
            expect([...packages].sort()).toEqual(installed.output.trim().split("\n").sort());
            const env = await imageEnv(image("train"));
            expect(env).toMatchObject({
                MLFLOW_DISABLE_TELEMETRY: "true",
                DO_NOT_TRACK: "true",
                TORCH_HOME: "/tmp/torch",
                PYTHONDONTWRITEBYTECODE: "1",
                PYTHONUNBUFFERED: "1",
            });
            expect(env.PATH).toMatch(/^\/opt\/venv\/bin:/);
        }, 300_000);

        it("train: torch, MLflow and the training package import as uid 10001, from a venv holding exactly the lock", async () => {
            const imports = await group.runOnce("train", {
                command: ["python", "-c", "import os, pwd, torch, mlflow, gourmetgram_train; print(os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_dir, torch.__version__, mlflow.__version__, gourmetgram_train.__file__)"],
            });
            // Debian's torch 1.13.1 (python3-torch=1.13.1+dfsg-4) calls itself 1.13.0a0.
            expect(imports).toEqual({ code: 0, output: "10001 10001 /tmp 1.13.0a0 3.17.2 /app/gourmetgram_train/__init__.py\n" });

            const freeze = await group.runOnce("train", { command: ["python", "-m", "pip", "freeze", "--local"] });
            expect(freeze.code, freeze.output).toBe(0);
            const pins = (text: string) =>
                [...text.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)/gm)].map(([, name, version]) => `${normalized(name)}==${version}`).sort();
            const locked = pins(fs.readFileSync(trainLock, "utf8"));
            expect(locked.length).toBeGreaterThan(50);
            expect(pins(freeze.output)).toEqual(locked);
        }, 180_000);

        it("train: the image's command refuses to run without MLflow, with the CLI's usage status", async () => {
            const run = await group.runOnce("train", { mounts: { [writableDir(path.join(scratch, "train-tmp-cmd"))]: "/tmp" } });
            expect(run.code, run.output).toBe(2);
            expect(run.output).toContain("MLFLOW_TRACKING_URI is not set");
            const scenario = await group.runOnce("train", {
                args: ["python", "-m", "gourmetgram_train", "--scenario", "nonsense"],
                mounts: { [writableDir(path.join(scratch, "train-tmp-scenario"))]: "/tmp" },
            });
            expect(scenario.code, scenario.output).toBe(2);
            expect(scenario.output).toContain("unknown scenario 'nonsense'");
        }, 180_000);

        it("train: the image's evaluation (pytest over /app/tests) judges a model the image builds: seed 41 passes, seed 42 fails on accuracy", async () => {
            const work = writableDir(path.join(scratch, "train-work"));
            const script = [
                "import json",
                "from pathlib import Path",
                "from gourmetgram_train.cli import CODE_ROOT",
                "from gourmetgram_train.evaluation import run_pytest",
                "from gourmetgram_train.models import build_model, save_for_serving",
                "from gourmetgram_train.seeding import seed_everything",
                "seed_everything(41)",
                "save_for_serving(build_model('normal'), '/work/food11.pth')",
                "for seed in (41, 42):",
                "    result = run_pytest(CODE_ROOT / 'tests', Path('/work/food11.pth'), 'normal', seed, Path(f'/work/report-{seed}.xml'), CODE_ROOT)",
                "    print('EVALUATION', json.dumps(result.to_json()))",
            ].join("\n");
            const run = await group.runOnce("train", {
                command: ["python", "-c", script],
                mounts: { [work]: "/work", [writableDir(path.join(scratch, "train-tmp"))]: "/tmp" },
            });
            expect(run.code, run.output).toBe(0);
            const evaluations = run.output
                .split("\n")
                .filter((line) => line.startsWith("EVALUATION "))
                .map((line) => JSON.parse(line.slice("EVALUATION ".length)) as { all_passed: boolean; passed: number; failed: number; cases: { name: string; outcome: string }[] });
            expect(evaluations).toHaveLength(2);
            const [good, poor] = evaluations;
            expect(good).toMatchObject({ all_passed: true, failed: 0 });
            expect(good.cases.map((c) => c.name).sort()).toEqual([
                "test_accuracy_meets_threshold",
                "test_model_answers_a_224x224_image",
                "test_model_is_deterministic_in_eval_mode",
                "test_model_loads_as_a_torch_module",
            ]);
            expect(poor).toMatchObject({ all_passed: false, failed: 1 });
            expect(poor.cases.find((c) => c.outcome === "failed")?.name).toBe("test_accuracy_meets_threshold");
        }, 420_000);
    });
});
