/**
 * What every gate command returns and how it leaves the process: a verdict with a reason and
 * the command's metrics, written as JSON to --report (read by the workflow as an output
 * parameter) and as a readable summary on stderr. Exit status, never stdout, carries the verdict.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type Verdict = "pass" | "fail";

export interface GateResult<M = unknown> {
    verdict: Verdict;
    /** One sentence a person can act on: what passed, or which check failed and why. */
    reason: string;
    metrics: M;
}

export interface Report<M = unknown> extends GateResult<M> {
    command: string;
    startedAt: string;
    finishedAt: string;
}

export const exitCodes = { pass: 0, fail: 1, usage: 2 } as const;

export function pass<M>(reason: string, metrics: M): GateResult<M> {
    return { verdict: "pass", reason, metrics };
}

export function fail<M>(reason: string, metrics: M): GateResult<M> {
    return { verdict: "fail", reason, metrics };
}

/** Writes the report atomically (temp file + rename) so a reader never sees half a file. */
export function writeReport(file: string, report: Report): void {
    const dir = path.dirname(path.resolve(file));
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(report, null, 2) + "\n");
    fs.renameSync(tmp, file);
}
