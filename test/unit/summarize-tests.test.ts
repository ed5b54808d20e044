import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../support/program";

/** scripts/summarize-tests.mjs: the one closing line CI reads for the whole run. */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function summarize(reports: { vitest?: object; pytest?: string }, ci = false) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "summary-"));
    dirs.push(dir);
    if (reports.vitest) fs.writeFileSync(path.join(dir, "vitest.json"), JSON.stringify(reports.vitest));
    if (reports.pytest) fs.writeFileSync(path.join(dir, "pytest.xml"), reports.pytest);
    const env = { ...process.env, CI: ci ? "true" : "" };
    return spawnSync(process.execPath, [path.join(repoRoot, "scripts", "summarize-tests.mjs"), dir], { encoding: "utf8", env });
}

const vitest = (passed: number, failed: number, files: object[] = []) => ({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: 1,
    numTodoTests: 0,
    testResults: files,
});

describe("the closing test summary", () => {
    it("adds vitest's and pytest's counts into one line and exits 0 when nothing failed", () => {
        const result = summarize({
            vitest: vitest(10, 0),
            pytest: '<testsuites><testsuite name="pytest" tests="5" failures="0" errors="0" skipped="1"></testsuite></testsuites>',
        });
        expect(result.stdout.trim().split("\n").at(-1)).toBe("tests: 14 passed, 0 failed, 2 skipped");
        expect(result.status).toBe(0);
    });

    it("counts failures and pytest errors, and exits 1", () => {
        const result = summarize({
            vitest: vitest(10, 2),
            pytest: '<testsuites><testsuite tests="5" failures="1" errors="1" skipped="0"></testsuite></testsuites>',
        });
        expect(result.stdout.trim().split("\n").at(-1)).toBe("tests: 13 passed, 4 failed, 1 skipped");
        expect(result.status).toBe(1);
    });

    it("counts a test file that broke before running any test as a failure", () => {
        const broken = { status: "failed", assertionResults: [] };
        const failing = { status: "failed", assertionResults: [{ status: "failed" }] };
        expect(summarize({ vitest: vitest(3, 1, [broken, failing]) }).stdout.trim().split("\n").at(-1)).toBe("tests: 3 passed, 2 failed, 1 skipped");
    });

    it("names every skipped test above the closing line", () => {
        const skippedSuite = { status: "skipped", assertionResults: [{ status: "skipped", fullName: "e2e engine needs the toolchain" }] };
        const result = summarize({
            vitest: vitest(4, 0, [skippedSuite]),
            pytest: '<testsuites><testsuite tests="2" failures="0" errors="0" skipped="1"><testcase name="test_gpu"><skipped message="no GPU"/></testcase></testsuite></testsuites>',
        });
        expect(result.stdout).toContain("SKIPPED 2 test(s):\n  - e2e engine needs the toolchain\n  - test_gpu\n");
        expect(result.status).toBe(0);
    });

    it("fails a CI run in which any test was skipped", () => {
        const result = summarize({ vitest: vitest(10, 0) }, true);
        expect(result.stdout).toContain("SKIPPED 1 test(s); CI fails on a skipped test");
        expect(result.stdout.trim().split("\n").at(-1)).toBe("tests: 10 passed, 0 failed, 1 skipped");
        expect(result.status).toBe(1);
    });

    it("passes a CI run with nothing skipped", () => {
        const result = summarize({ vitest: { ...vitest(10, 0), numPendingTests: 0 } }, true);
        expect(result.stdout.trim()).toBe("tests: 10 passed, 0 failed, 0 skipped");
        expect(result.status).toBe(0);
    });

    it("fails a run in which no test ran at all", () => {
        const result = summarize({});
        expect(result.stdout.trim()).toBe("tests: 0 passed, 0 failed, 0 skipped");
        expect(result.status).toBe(1);
    });
});
