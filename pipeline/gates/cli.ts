/**
 * The gate and release CLI: `gate <command> [flags]`.
 * Exit status is the contract with the workflow templates: 0 pass, 1 fail (including "could
 * not decide"), 2 usage or configuration error. `--report FILE` receives the JSON verdict.
 */
import "./require-node";
import { commands, usage } from "./commands";
import { UsageError } from "./args";
import { parseFlags } from "./flags";
import { exitCodes, Report, writeReport } from "./report";

export async function main(argv: readonly string[]): Promise<number> {
    const [name, ...args] = argv;
    if (!name || name === "--help" || name === "help") {
        process.stderr.write(usage());
        return name ? exitCodes.pass : exitCodes.usage;
    }
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) {
        process.stderr.write(`gate: unknown command "${name}"; allowed: ${Object.keys(commands).join(", ")}\n`);
        return exitCodes.usage;
    }
    const startedAt = new Date().toISOString();
    let reportFile: string | undefined;
    let report: Report;
    try {
        // Every table has --report; reading it first also refuses a bad command line before anything runs.
        reportFile = parseFlags(command.flags, args).report;
        const { result, summary } = await command.run(args);
        process.stderr.write(summary + "\n");
        report = { command: name, ...result, startedAt, finishedAt: new Date().toISOString() };
    } catch (err) {
        if (err instanceof UsageError) {
            process.stderr.write(`gate ${name}: ${err.message}\n`);
            return exitCodes.usage;
        }
        // A crash is a decision too: the gate could not decide, so it fails closed.
        const message = err instanceof Error ? err.message : String(err);
        report = { command: name, verdict: "fail", reason: `gate could not decide: ${message}`, metrics: null, startedAt, finishedAt: new Date().toISOString() };
    }
    process.stderr.write(`gate ${name}: ${report.verdict.toUpperCase()}: ${report.reason}\n`);
    if (reportFile) {
        try {
            writeReport(reportFile, report);
        } catch (err) {
            process.stderr.write(`gate ${name}: could not write report ${reportFile}: ${(err as Error).message}\n`);
            return exitCodes.fail;
        }
    }
    return report.verdict === "pass" ? exitCodes.pass : exitCodes.fail;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`gate: ${String(err)}\n`);
            process.exitCode = exitCodes.fail;
        },
    );
}
