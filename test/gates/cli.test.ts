import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../pipeline/gates/cli";
import { commands } from "../../pipeline/gates/commands";
import { closedPort } from "../support/app-server";
import { runCli } from "./cli-runner";
import { gateImageSources } from "../../pipeline/images";

const root = path.resolve(__dirname, "..", "..");

describe("--report on the command line", () => {
    it("is refused when given twice or without a file, before the command runs", async () => {
        const twice = await runCli(["load", "--url", "http://127.0.0.1:9/", "--report", "a.json", "--report=b.json"]);
        expect(twice.code).toBe(2);
        expect(twice.stderr).toMatch(/gate load: --report was given twice/);
        const empty = await runCli(["load", "--url", "http://127.0.0.1:9/", "--report"]);
        expect(empty.code).toBe(2);
        expect(empty.stderr).toMatch(/gate load: --report needs a value/);
    });
});

describe("the CLI contract", () => {
    it("lists every command the workflows call", () => {
        expect(Object.keys(commands).sort()).toEqual(["canary", "integration", "load", "mark-good", "promote", "resources", "revert", "set-image-tag", "split"]);
    });

    it("exits 2 on an unknown or missing command", async () => {
        expect(await main(["deploy"])).toBe(2);
        expect(await main(["toString"])).toBe(2);
        expect(await main([])).toBe(2);
        expect(await main(["--help"])).toBe(0);
    });

    it("fails closed (exit 1, report written) when the command crashes", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-crash-"));
        const report = path.join(dir, "nested", "report.json");
        const port = await closedPort();
        // MLflow unreachable: every retry is refused, so promote cannot decide.
        const code = await main([
            "promote", "--from", "staging", "--to", "canary", "--version", "3",
            "--mlflow-url", `http://127.0.0.1:${port}`, "--registry-url", `http://127.0.0.1:${port}`, "--report", report,
        ]);
        expect(code).toBe(1);
        const r = JSON.parse(fs.readFileSync(report, "utf8"));
        expect(r).toMatchObject({ command: "promote", verdict: "fail" });
        expect(r.reason).toMatch(/connection refused/);
        expect(r.startedAt).toBeTruthy();
        fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it("exits 1 when the report cannot be written, since the workflow would read nothing", async () => {
        const port = await closedPort();
        // A report path under a regular file cannot be created.
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-report-")), "a-file");
        fs.writeFileSync(file, "");
        const code = await main(["load", "--url", `http://127.0.0.1:${port}/`, "--requests", "1", "--report", path.join(file, "report.json")]);
        expect(code).toBe(1);
    });

    it("writes nothing on stdout: logs go to stderr, the verdict to the exit status and the report", async () => {
        const r = await runCli(["bogus"]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/unknown command "bogus"; allowed: load, integration, resources, canary, split, promote, revert, mark-good, set-image-tag/);
    });
});

describe("the gate image", () => {
    it("pins the image's dependencies to the root package.json versions", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-image-"));
        const out = path.join(dir, "package.json");
        const run = spawnSync(process.execPath, [path.join(root, "pipeline/images/gates/image-package.js"), path.join(root, "package.json"), out]);
        expect(run.status).toBe(0);
        const pkg = JSON.parse(fs.readFileSync(out, "utf8"));
        const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        expect(pkg.dependencies).toEqual({ undici: rootPkg.dependencies.undici, yaml: rootPkg.dependencies.yaml });
        expect(pkg.devDependencies.typescript).toBe(rootPkg.devDependencies.typescript);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("uses a base image pinned by tag and digest, runs as non-root, and copies only what the CLI needs", () => {
        const dockerfile = fs.readFileSync(path.join(root, "pipeline/images/gates/Dockerfile"), "utf8");
        const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
        expect(froms.length).toBe(2);
        for (const f of froms) expect(f).toMatch(/^node:\d+\.\d+\.\d+-alpine[\d.]+@sha256:[0-9a-f]{64}$/);
        expect(dockerfile).toMatch(/^USER 1000:1000$/m);
        const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(" "));
        for (const src of copies) expect(fs.existsSync(path.join(root, src)), src).toBe(true);
        expect(copies.some((c) => c.startsWith("test") || c.includes("node_modules"))).toBe(false);
        // The in-cluster build sends only the listed sources: every COPY must be among them.
        for (const src of copies) expect(gateImageSources.some((included) => src === included || src.startsWith(`${included}/`)), src).toBe(true);
    });

    it("builds from the files the Dockerfile copies, into a CLI that runs under plain node", async () => {
        // The Dockerfile's build stage, minus the network: the same files at the same places.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-build-"));
        // Exactly the image's sources (the list the build context is made of), nothing else.
        for (const source of gateImageSources) fs.cpSync(path.join(root, source), path.join(dir, source), { recursive: true });
        fs.copyFileSync(path.join(root, "pipeline/images/gates/tsconfig.json"), path.join(dir, "tsconfig.json"));
        fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
        const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
        expect(tsc.stdout + tsc.stderr).toBe("");
        fs.cpSync(path.join(dir, "pipeline/gates/assets"), path.join(dir, "dist/pipeline/gates/assets"), { recursive: true });
        const cli = path.join(dir, "dist/pipeline/gates/cli.js");
        const usage = spawnSync(process.execPath, [cli, "load"], { encoding: "utf8" });
        expect(usage.status).toBe(2);
        expect(usage.stderr).toMatch(/--url is required/);
        expect(fs.existsSync(path.join(dir, "dist/pipeline/gates/assets/food-sample.jpg"))).toBe(true);
        fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);
});
