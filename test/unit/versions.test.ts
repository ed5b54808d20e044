import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { mlflowVersion } from "../../vocabulary/versions";

const root = path.resolve(__dirname, "../..");
const skipped = new Set([".git", "node_modules", ".venv", ".cache", "out"]);

/** Every pip requirements or constraints file in the repository. */
function requirementFiles(dir = root): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (skipped.has(entry.name)) return [];
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return requirementFiles(full);
        return /^(requirements|constraints)[\w.-]*\.txt$/.test(entry.name) ? [full] : [];
    });
}

/** Lines naming an MLflow distribution, with the version they pin (undefined when not pinned with ==). */
function mlflowLines(file: string): { line: string; version?: string }[] {
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .map((raw) => raw.replace(/#.*/, "").trim())
        .filter((line) => /^mlflow(-skinny|-tracing)?\s*(\[|==|>=|<=|~=|!=|<|>|;|$)/i.test(line))
        .map((line) => ({ line, version: /==\s*([^\s;]+)/.exec(line)?.[1] }));
}

describe("MLflow version pins", () => {
    const files = requirementFiles();

    it("finds the training image's and the test venv's requirement files", () => {
        const relative = files.map((f) => path.relative(root, f));
        expect(relative).toEqual(expect.arrayContaining([
            "test/requirements.txt",
            path.join("pipeline", "images", "train", "requirements.txt"),
            path.join("pipeline", "images", "train", "requirements.lock.txt"),
            "test/requirements.lock.txt",
        ]));
    });

    it.each(files.map((f) => [path.relative(root, f), f]))("%s pins MLflow to vocabulary/versions.ts", (_name, file) => {
        for (const { line, version } of mlflowLines(file)) {
            expect(version, `${line} must pin ==${mlflowVersion}`).toBe(mlflowVersion);
        }
    });

    it("the training image pins MLflow at all", () => {
        const file = path.join(root, "pipeline", "images", "train", "requirements.txt");
        expect(mlflowLines(file).map((l) => l.version)).toEqual([mlflowVersion]);
    });
});
