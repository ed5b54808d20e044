/**
 * checkov's Kubernetes checks over `npm run render` of the chameleon stack (scripts/checkov/run.sh):
 * no failed check, every waiver beside its object with a reason, and a control that shows the
 * same checkov does fail an insecure pod (so a pass here is not a scan of nothing).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../support/program";

const checkov = path.join(repoRoot, ".cache", "checkov", "venv", "bin", "checkov");
let dir: string;

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-render-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function counts(output: string): { passed: number; failed: number; skipped: number } {
    const match = /Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)/.exec(output);
    if (!match) throw new Error(`no checkov summary in:\n${output.slice(-2000)}`);
    return { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3]) };
}

describe("checkov over the rendered chameleon stack", () => {
    it("is installed by scripts/setup.d/35-checkov.sh", () => {
        expect(fs.existsSync(checkov), `${checkov} is missing: run scripts/setup.d/35-checkov.sh`).toBe(true);
    });

    it("reports no failed check", () => {
        const render = path.join(dir, "render");
        const run = spawnSync("bash", [path.join(repoRoot, "scripts", "checkov", "run.sh"), render], { cwd: repoRoot, encoding: "utf8", timeout: 300_000 });
        const output = `${run.stdout}\n${run.stderr}`;
        const summary = counts(output);
        expect(summary.failed, output.slice(-4000)).toBe(0);
        expect(run.status, output.slice(-2000)).toBe(0);
        // A scan of the whole stack, not of an empty directory.
        expect(summary.passed).toBeGreaterThan(500);

        // Every waiver names a check and gives a reason, on the object it waives.
        const waivers = fs
            .readdirSync(render, { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
            .flatMap((entry) => parseAllDocuments(fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8")).map((d) => d.toJSON()))
            .flatMap((object) => Object.entries((object?.metadata?.annotations ?? {}) as Record<string, string>).filter(([k]) => k.startsWith("checkov.io/skip")));
        expect(waivers.length).toBe(summary.skipped);
        for (const [, value] of waivers) expect(value).toMatch(/^CKV2?_K8S_\d+=.{20,}$/);
    }, 300_000);

    it("fails a privileged, root pod (the control)", () => {
        const bad = path.join(dir, "bad");
        fs.mkdirSync(bad);
        fs.writeFileSync(
            path.join(bad, "pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: x}\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext: {privileged: true, runAsUser: 0}\n",
        );
        const run = spawnSync(checkov, ["--directory", bad, "--framework", "kubernetes", "--quiet", "--compact"], { encoding: "utf8", timeout: 120_000 });
        expect(run.status).not.toBe(0);
        expect(counts(run.stdout).failed).toBeGreaterThan(5);
        expect(run.stdout).toContain("CKV_K8S_16");
    }, 150_000);
});
