// Prints one closing line for the whole run, counting vitest's JSON report and pytest's
// JUnit XML together, so a reader (and CI) sees a single "N passed, N failed" total.
// Skipped tests are named above that line; under CI=true any skip fails the run, since a
// suite that did not run proves nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const total = { passed: 0, failed: 0, skipped: 0 };
const skippedNames = [];

const vitestReport = join(dir, "vitest.json");
if (existsSync(vitestReport)) {
    const report = JSON.parse(readFileSync(vitestReport, "utf8"));
    total.passed += report.numPassedTests;
    // A file that fails before any of its tests run (an import error) counts as one failure.
    const brokenFiles = report.testResults.filter(
        (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
    ).length;
    total.failed += report.numFailedTests + brokenFiles;
    total.skipped += report.numPendingTests + report.numTodoTests;
    for (const file of report.testResults) {
        for (const test of file.assertionResults) {
            if (["skipped", "pending", "todo"].includes(test.status)) skippedNames.push(test.fullName ?? test.title);
        }
    }
}

const pytestReport = join(dir, "pytest.xml");
if (existsSync(pytestReport)) {
    const xml = readFileSync(pytestReport, "utf8");
    for (const [, attrs] of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
        const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(attrs)?.[1] ?? 0);
        const failed = count("failures") + count("errors");
        const skipped = count("skipped");
        total.failed += failed;
        total.skipped += skipped;
        total.passed += count("tests") - failed - skipped;
    }
    for (const [, name] of xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*>\s*<skipped\b/g)) skippedNames.push(name);
}

const inCi = process.env.CI === "true";
if (total.skipped > 0) {
    console.log(`SKIPPED ${total.skipped} test(s)${inCi ? "; CI fails on a skipped test" : ""}:`);
    for (const name of skippedNames) console.log(`  - ${name}`);
}
const ran = total.passed + total.failed;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ran === 0 || total.failed > 0 || (inCi && total.skipped > 0) ? 1 : 0);
